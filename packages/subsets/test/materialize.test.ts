// The synthetic study through the real materialize path: local disk as the source, local disk and
// Azurite (Azure's emulator) as destinations. After materializing, no identifier of the source appears
// anywhere in the output, tables still join on the hashed key, each subject's intervals are unchanged,
// ZIP and age rules hold, and the output is a function of the input and the subset secret.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { daysBetween, restrictedZip3 } from "@crossdock/policy";
import { openObjectStore, type ObjectStore, type ObjectStoreConfigInput } from "@crossdock/providers";
import { startAzurite, type RunningEmulator } from "@crossdock/providers/emulators";
import type { StorageAccount, TenantDb } from "@crossdock/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubset, createVersion, materializeSubset, verifyManifest, type MaterializeProgress, type SubsetDefinitionInput } from "../src/index.ts";
import { Accounts, createTenant, db, FAST_RETRY, listKeys, parseCsv, readAll, readText } from "./helpers.ts";
import { makeStudy, studyRules } from "./study.ts";

const study = makeStudy();
const accounts = new Accounts();
let azurite: RunningEmulator;
let root: string;
let tenant: TenantDb;
let source: StorageAccount;
const SRC_BUCKET = "hospital";
const run = Date.now().toString(36);

interface Destination {
  name: string;
  account: StorageAccount;
  store: ObjectStore;
  bucket: string;
}
const destinations: Destination[] = [];

beforeAll(async () => {
  [azurite, root] = await Promise.all([startAzurite(), mkdtemp(path.join(os.tmpdir(), "crossdock-subsets-"))]);
  tenant = await createTenant("subsets materialize");
  const srcConfig: ObjectStoreConfigInput = { provider: "local", rootDir: path.join(root, "source") };
  source = await accounts.add(tenant, srcConfig);
  const srcStore = accounts.open(source);
  await srcStore.createBucket(SRC_BUCKET);
  for (const [key, body] of Object.entries(study.files)) await srcStore.writeObject(SRC_BUCKET, key, body);
  await srcStore.close();
  for (const [name, config, bucket] of [
    ["local disk", { provider: "local", rootDir: path.join(root, "dest") }, "partner"],
    ["azurite", azurite.config, `partner-${run}`],
  ] as const) {
    const account = await accounts.add(tenant, config as ObjectStoreConfigInput);
    const store = openObjectStore({ ...(config as ObjectStoreConfigInput), retry: FAST_RETRY } as ObjectStoreConfigInput);
    await store.createBucket(bucket);
    destinations.push({ name, account, store, bucket });
  }
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(destinations.map((d) => d.store.close()));
  await azurite?.stop();
  if (root) await rm(root, { recursive: true, force: true });
  await db.$disconnect();
});

const definition = (over: Partial<SubsetDefinitionInput> = {}): SubsetDefinitionInput => ({
  sourceAccountId: source.id,
  sourceBucket: SRC_BUCKET,
  prefixes: ["study/"],
  rules: studyRules,
  ...over,
});

async function materialize(versionId: string, dest: Destination, prefix: string, onProgress?: (p: MaterializeProgress) => void) {
  return materializeSubset({ tenant, subsetVersionId: versionId, destination: { accountId: dest.account.id, store: dest.store, bucket: dest.bucket, prefix }, openSource: accounts.open, onProgress });
}

describe.each([0, 1])("materializing the study (destination %i)", (d) => {
  let dest: Destination;
  let outputs: Map<string, string>; // output key -> text
  let result: Awaited<ReturnType<typeof materialize>>;
  const progress: MaterializeProgress[] = [];

  beforeAll(async () => {
    dest = destinations[d]!;
    const { version } = await createSubset(tenant, { name: `study ${d}`, definition: definition() });
    result = await materialize(version.id, dest, "share/", (p) => progress.push(p));
    outputs = new Map();
    for (const o of result.manifest.objects) outputs.set(o.key, await readText(dest.store, dest.bucket, o.key));
  });

  it(`writes every transformable file and a signed manifest whose sizes and SHA-256 match (${["local disk", "azurite"][d]})`, async () => {
    // 2 tables, 1 NDJSON, 3 VCFs; the PNG has no rules and no pass-through: left out.
    expect(result.objects).toBe(6);
    expect(result.skippedObjects).toBe(1);
    expect(result.manifest.objects.map((o) => o.sourceKey).sort()).toEqual(Object.keys(study.files).filter((k) => !k.endsWith(".png")).sort());
    expect(verifyManifest(await readAll(dest.store, dest.bucket, result.manifestKey).then((b) => b.toString("utf8")))).toBe(true);
    for (const o of result.manifest.objects) {
      const bytes = await readAll(dest.store, dest.bucket, o.key);
      expect(bytes.length).toBe(o.size);
      const { createHash } = await import("node:crypto");
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(o.sha256);
    }
    // Nothing but outputs and the manifest: no staging leftovers.
    expect((await listKeys(dest.store, dest.bucket, "share/")).sort()).toEqual([...result.manifest.objects.map((o) => o.key), result.manifestKey].sort());
    // A tampered manifest does not verify.
    const tampered = JSON.parse(await readText(dest.store, dest.bucket, result.manifestKey));
    tampered.objects[0].sha256 = "0".repeat(64);
    expect(verifyManifest(tampered)).toBe(false);
    expect(progress.at(-1)).toMatchObject({ phase: "done", plannedObjects: 6, doneObjects: 6 });
  });

  it("leaves no identifier of the source anywhere in the output, keys included", () => {
    const everything = [...outputs.entries()].map(([k, v]) => `${k}\n${v}`).join("\n");
    const survivors = study.identifiers.filter((value) => everything.includes(value));
    expect(survivors).toEqual([]);
    expect(everything.length).toBeGreaterThan(1000);
  });

  it("keeps tables joinable on the hashed patient key, and each subject's date intervals", async () => {
    const patients = await parseCsv(outputs.get("share/study/patients.csv")!);
    const encounters = await parseCsv(outputs.get("share/study/encounters.csv")!);
    const ids = new Set(patients.map((p) => p.patient_id));
    expect(ids.size).toBe(study.patients.length);
    expect(encounters.every((e) => ids.has(e.patient_id!))).toBe(true);
    // Rows keep their order: the i-th output encounter is the i-th source encounter.
    study.encounters.forEach((src, i) => {
      const out = encounters[i]!;
      expect(out.admit_date).not.toBe(src.admit);
      expect(daysBetween(out.admit_date!, out.discharge_date!)).toBe(daysBetween(src.admit, src.discharge));
      const prev = study.encounters[i - 1];
      if (prev?.patient === src.patient) expect(daysBetween(encounters[i - 1]!.admit_date!, out.admit_date!)).toBe(daysBetween(prev.admit, src.admit));
    });
    // The NDJSON notes hash the same ids the same way: they join with the tables too.
    const notes = outputs.get("share/study/notes/notes.ndjson")!.trim().split("\n").map((l) => JSON.parse(l));
    expect(notes.every((n) => ids.has(n.patient.id))).toBe(true);
    // VCF sample ids and file names carry the same pseudonyms.
    const vcfs = [...outputs.keys()].filter((k) => k.endsWith(".vcf.gz"));
    expect(vcfs).toHaveLength(3);
    for (const key of vcfs) {
      const sample = outputs.get(key)!.split("\n").find((l) => l.startsWith("#CHROM"))!.split("\t")[9]!;
      expect(ids.has(sample)).toBe(true);
      expect(key).toBe(`share/study/genomes/${sample}.vcf.gz`);
    }
  });

  it("applies the ZIP and age rules", async () => {
    const patients = await parseCsv(outputs.get("share/study/patients.csv")!);
    study.patients.forEach((src, i) => {
      const out = patients[i]!;
      const zip3 = src.zip.slice(0, 3);
      expect(out.zip).toBe(restrictedZip3.has(zip3) ? "000" : zip3);
      expect(out.age).toBe(src.age >= 90 ? "90+" : String(src.age));
      expect(out).not.toHaveProperty("ssn");
      expect(out).not.toHaveProperty("first_name");
    });
    expect(patients.some((p) => p.zip === "000")).toBe(true);
    expect(patients.some((p) => p.age === "90+")).toBe(true);
  });
});

describe("determinism and secrets", () => {
  it("gives the same output for the same version and secret, and a different one under another subset's secret", async () => {
    const dest = destinations[0]!;
    const { subset, version } = await createSubset(tenant, { name: "determinism", definition: definition() });
    const a = await materialize(version.id, dest, "det-a/");
    const b = await materialize(version.id, dest, "det-b/");
    const hashes = (r: typeof a, prefix: string) => Object.fromEntries(r.manifest.objects.map((o) => [o.key.slice(prefix.length), o.sha256]));
    expect(hashes(b, "det-b/")).toEqual(hashes(a, "det-a/"));
    // A new version of the same subset keeps its secret: the same pseudonyms.
    const v2 = await createVersion(tenant, subset.id, definition({ note: "same rules" }));
    const c = await materialize(v2.id, dest, "det-c/");
    expect(hashes(c, "det-c/")).toEqual(hashes(a, "det-a/"));
    const other = await createSubset(tenant, { name: "determinism other secret", definition: definition() });
    const e = await materialize(other.version.id, dest, "det-e/");
    const he = hashes(e, "det-e/");
    const ha = hashes(a, "det-a/");
    expect(Object.keys(he).filter((k) => k.endsWith(".csv")).every((k) => he[k] !== ha[k])).toBe(true);
    // Pseudonymized file names differ too: no key of one subset appears in the other.
    expect(Object.keys(he).filter((k) => k.endsWith(".vcf.gz")).some((k) => k in ha)).toBe(false);
  });

  it("returns the same manifest, writing nothing, when a succeeded run is run again", async () => {
    const dest = destinations[0]!;
    const { version } = await createSubset(tenant, { name: "idempotent", definition: definition() });
    const first = await materialize(version.id, dest, "idem/");
    const again = await materializeSubset({ tenant, subsetVersionId: version.id, materializationId: first.materializationId, destination: { accountId: dest.account.id, store: dest.store, bucket: dest.bucket, prefix: "idem/" }, openSource: accounts.open });
    expect(again.manifestSha256).toBe(first.manifestSha256);
    expect(again.manifest.signature).toEqual(first.manifest.signature);
  });
});

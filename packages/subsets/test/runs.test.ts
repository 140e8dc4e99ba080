// Runs that must not publish: malformed files (each rejected whole, with its line and reason, nothing
// written), flagged identifiers without rules; runs that resume after a crash; versions that stay linked
// to what they produced; and tenants that cannot reach each other's subsets.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { StorageAccount, TenantDb } from "@crossdock/db";
import { ObjectStoreError, type ObjectStore } from "@crossdock/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubset, createVersion, materializeSubset, previewObject, privacyReport, reviewSubset, SubsetError, type SubsetDefinitionInput } from "../src/index.ts";
import { Accounts, createTenant, db, listKeys } from "./helpers.ts";
import { makeStudy, studyRules } from "./study.ts";

const study = makeStudy(12);
const accounts = new Accounts();
let root: string;
let tenant: TenantDb;
let source: StorageAccount;
let destAccount: StorageAccount;
let dest: ObjectStore;
const BUCKET = "src";
const OUT = "out";

const good = study.files["study/patients.csv"]!;
const bad: Record<string, { body: Buffer; line: number; reason: RegExp }> = {
  "ragged.csv": { body: Buffer.from("patient_id,zip\nP1,02134\nP2,10001,extra\n"), line: 3, reason: /row has 3 fields, the header has 2/ },
  "quoting.csv": { body: Buffer.from('patient_id,zip\nP1,02134\nP2,"10001\nP3,60614\n'), line: 3, reason: /broken quoting|never closed/ },
  "utf8.csv": { body: Buffer.concat([Buffer.from("patient_id,zip\nP1,02134\nP2,"), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]), line: 3, reason: /invalid UTF-8/ },
  "long.csv": { body: Buffer.from(`patient_id,zip\nP1,02134\nP2,${"9".repeat(1_100_000)}\n`), line: 3, reason: /longer than the maximum/ },
  "notes.ndjson": { body: Buffer.from('{"mrn":"MRN-00000001"}\n{"mrn": oops}\n'), line: 2, reason: /not valid JSON/ },
  "broken.vcf.gz": { body: gzipSync("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP00001\n1\t5\t.\tA\n"), line: 3, reason: /./ },
};

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "crossdock-subsets-runs-"));
  tenant = await createTenant("subsets runs");
  source = await accounts.add(tenant, { provider: "local", rootDir: path.join(root, "source") });
  destAccount = await accounts.add(tenant, { provider: "local", rootDir: path.join(root, "dest") });
  const src = accounts.open(source);
  await src.createBucket(BUCKET);
  for (const [name, { body }] of Object.entries(bad)) {
    // Each bad file sits next to good ones, so a run has staged good outputs before it meets the bad one.
    await src.writeObject(BUCKET, `bad-${name}/a-good.csv`, good);
    await src.writeObject(BUCKET, `bad-${name}/${name}`, body);
    await src.writeObject(BUCKET, `bad-${name}/z-good.csv`, good);
  }
  for (const [key, body] of Object.entries(study.files)) await src.writeObject(BUCKET, key, body);
  await src.close();
  dest = accounts.open(destAccount);
  await dest.createBucket(OUT);
}, 120_000);

afterAll(async () => {
  await dest?.close();
  if (root) await rm(root, { recursive: true, force: true });
  await db.$disconnect();
});

const definition = (over: Partial<SubsetDefinitionInput> = {}): SubsetDefinitionInput => ({ sourceAccountId: source.id, sourceBucket: BUCKET, prefixes: ["study/"], rules: studyRules, ...over });
const destination = (prefix: string, store: ObjectStore = dest) => ({ accountId: destAccount.id, store, bucket: OUT, prefix });

describe("malformed files", () => {
  it.each(Object.keys(bad))("%s: the run fails with the file, line and reason, and writes nothing", async (name) => {
    const { version } = await createSubset(tenant, { name: `bad ${name}`, definition: definition({ prefixes: [`bad-${name}/`] }) });
    const prefix = `bad-${name}/`;
    const error = await materializeSubset({ tenant, subsetVersionId: version.id, destination: destination(prefix), openSource: accounts.open, concurrency: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubsetError);
    const e = error as SubsetError;
    expect(e.kind).toBe("Malformed");
    expect(e.key).toBe(`bad-${name}/${name}`);
    if (!name.endsWith(".vcf.gz")) expect(e.line).toBe(bad[name]!.line);
    expect(e.message).toMatch(bad[name]!.reason);
    expect(e.message).toContain(`bad-${name}/${name}`);
    expect(await listKeys(dest, OUT, prefix)).toEqual([]);
    const run = await tenant.subsetMaterializations.findFirstOrThrow({ where: { versionId: version.id } });
    expect(run).toMatchObject({ state: "FAILED", errorKind: "Malformed", errorKey: `bad-${name}/${name}`, manifestKey: null });
    expect(await tenant.subsetOutputObjects.count({ where: { materializationId: run.id } })).toBe(0);
    // A retried job does not redo a data error.
    await expect(materializeSubset({ tenant, subsetVersionId: version.id, materializationId: run.id, destination: destination(prefix), openSource: accounts.open })).rejects.toMatchObject({ kind: "Malformed" });
  });
});

describe("user metadata", () => {
  it("is stripped unless the subset allows its name, and allowed names travel to the output", async () => {
    const src = accounts.open(source);
    await src.writeObject(BUCKET, "meta/patients.csv", good, { contentType: "text/csv", userMetadata: { "patient-name": "Jane Roe", "study-phase": "2" } });
    await src.close();
    const headsOf = async (prefix: string) => {
      const keys = (await listKeys(dest, OUT, prefix)).filter((k) => !k.endsWith(".json"));
      expect(keys).toHaveLength(1);
      return (await dest.headObject(OUT, keys[0]!)).userMetadata;
    };
    const { subset, version } = await createSubset(tenant, { name: "metadata", definition: definition({ prefixes: ["meta/"] }) });
    await materializeSubset({ tenant, subsetVersionId: version.id, destination: destination("meta-default/"), openSource: accounts.open });
    expect(await headsOf("meta-default/")).toEqual({});
    const allowing = await createVersion(tenant, subset.id, definition({ prefixes: ["meta/"], rules: { ...studyRules, keys: { ...studyRules.keys, metadataAllowList: ["Study-*"] } } }));
    await materializeSubset({ tenant, subsetVersionId: allowing.id, destination: destination("meta-allowed/"), openSource: accounts.open });
    expect(await headsOf("meta-allowed/")).toEqual({ "study-phase": "2" });
  });

  it("refuses an allow list that is not a list of names", async () => {
    await expect(createSubset(tenant, { name: "bad metadata", definition: definition({ rules: { ...studyRules, keys: { metadataAllowList: [""] } } }) })).rejects.toThrow(/metadataAllowList/);
  });
});

describe("flagged identifiers", () => {
  it("refuses while a detected identifier column is kept without a rule, and proceeds once it is acknowledged", async () => {
    const rules = { ...studyRules, tabular: { ...studyRules.tabular!, defaultAction: "keep" as const } };
    const { subset, version } = await createSubset(tenant, { name: "flagged", definition: definition({ rules }) });
    const error = (await materializeSubset({ tenant, subsetVersionId: version.id, destination: destination("flagged/"), openSource: accounts.open }).catch((e: unknown) => e)) as SubsetError;
    expect(error).toBeInstanceOf(SubsetError);
    expect(error.kind).toBe("Flagged");
    for (const column of ["ssn", "email", "phone", "first_name"]) expect(error.message).toContain(`column ${column}`);
    expect(await listKeys(dest, OUT, "flagged/")).toEqual([]);
    // Acknowledging them all (in a new version) lets it through: the author took responsibility.
    const flagged = ["ssn", "email", "phone", "first_name", "last_name"].map((c) => `tabular:${c}`);
    const v2 = await createVersion(tenant, subset.id, definition({ rules, acknowledged: flagged }));
    const ok = await materializeSubset({ tenant, subsetVersionId: v2.id, destination: destination("flagged-ack/"), openSource: accounts.open });
    expect(ok.objects).toBeGreaterThan(0);
  });
});

describe("resuming", () => {
  it("a run interrupted by a failing destination resumes, staging only what it had not, and publishes nothing before the end", async () => {
    const { version } = await createSubset(tenant, { name: "resume", definition: definition() });
    let writes = 0;
    let failAfter = 3;
    const flaky = new Proxy(dest, {
      get(target, property, receiver) {
        if (property === "writeObject") {
          return async (...args: Parameters<ObjectStore["writeObject"]>) => {
            if (String(args[1]).includes(".crossdock-staging/") && writes++ >= failAfter) throw new ObjectStoreError("Transient", "injected outage", { provider: "local" });
            return target.writeObject(...args);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const error = await materializeSubset({ tenant, subsetVersionId: version.id, destination: destination("resume/", flaky), openSource: accounts.open, concurrency: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreError);
    const run = await tenant.subsetMaterializations.findFirstOrThrow({ where: { versionId: version.id } });
    expect(run.state).toBe("RUNNING");
    expect(await tenant.subsetOutputObjects.count({ where: { materializationId: run.id } })).toBe(3);
    // Nothing is visible at a final key yet: only staging objects.
    expect((await listKeys(dest, OUT, "resume/")).every((k) => k.startsWith("resume/.crossdock-staging/"))).toBe(true);
    writes = 0;
    failAfter = Infinity;
    const result = await materializeSubset({ tenant, subsetVersionId: version.id, materializationId: run.id, destination: destination("resume/", flaky), openSource: accounts.open });
    expect(writes).toBe(result.objects - 3);
    expect(result.objects).toBe(6);
    expect((await listKeys(dest, OUT, "resume/")).sort()).toEqual([...result.manifest.objects.map((o) => o.key), result.manifestKey].sort());
  });
});

describe("versions", () => {
  it("editing adds a version; earlier materializations stay linked to the version that produced them", async () => {
    const { subset, version: v1 } = await createSubset(tenant, { name: "versioned", definition: definition() });
    const first = await materializeSubset({ tenant, subsetVersionId: v1.id, destination: destination("v1/"), openSource: accounts.open });
    const v2 = await createVersion(tenant, subset.id, definition({ rules: { ...studyRules, tabular: { columns: { ...studyRules.tabular!.columns, sex: { action: "drop" } } } } }));
    expect(v2.number).toBe(2);
    expect(v2.id).not.toBe(v1.id);
    const second = await materializeSubset({ tenant, subsetVersionId: v2.id, destination: destination("v2/"), openSource: accounts.open });
    const runs = await tenant.subsetMaterializations.findMany({ where: { subsetId: subset.id }, orderBy: { createdAt: "asc" } });
    expect(runs.map((r) => r.versionId)).toEqual([v1.id, v2.id]);
    expect(first.manifest.version).toEqual({ id: v1.id, number: 1 });
    expect(second.manifest.version).toEqual({ id: v2.id, number: 2 });
    // Version 1 is unchanged: it still keeps the sex column.
    const stored = await tenant.subsetVersions.findUniqueOrThrow({ where: { id: v1.id } });
    expect((stored.rules as typeof studyRules).tabular!.columns.sex).toEqual({ action: "keep" });
    expect((await tenant.subsets.findUniqueOrThrow({ where: { id: subset.id } })).latestVersion).toBe(2);
  });
});

describe("tenant isolation", () => {
  it("another organization cannot materialize, version or read this organization's subset", async () => {
    const { subset, version } = await createSubset(tenant, { name: "private", definition: definition() });
    const other = await createTenant("other org");
    const otherDest = await accounts.add(other, { provider: "local", rootDir: path.join(root, "other") });
    await expect(materializeSubset({ tenant: other, subsetVersionId: version.id, destination: { accountId: otherDest.id, store: dest, bucket: OUT, prefix: "steal/" }, openSource: accounts.open })).rejects.toMatchObject({ kind: "NotFound" });
    await expect(createVersion(other, subset.id, definition())).rejects.toMatchObject({ kind: "NotFound" });
    // Nor point a subset of its own at this organization's account.
    await expect(createSubset(other, { name: "steal", definition: definition() })).rejects.toMatchObject({ kind: "NotFound" });
    // Nor write into this organization's account as a destination.
    const { version: own } = await createSubset(tenant, { name: "own", definition: definition() });
    await expect(materializeSubset({ tenant, subsetVersionId: own.id, destination: { accountId: otherDest.id, store: dest, bucket: OUT, prefix: "x/" }, openSource: accounts.open })).rejects.toMatchObject({ kind: "NotFound" });
    expect(await other.subsets.findUnique({ where: { id: subset.id } })).toBeNull();
    expect(await listKeys(dest, OUT, "steal/")).toEqual([]);
  });
});

describe("editor views", () => {
  it("previews a table, NDJSON and a gzip VCF before and after, and reviews the data's identifiers", async () => {
    const src = accounts.open(source);
    const secret = "a-test-secret-of-enough-bytes";
    const table = await previewObject(src, BUCKET, "study/patients.csv", studyRules, secret, 5);
    expect(table.kind).toBe("tabular");
    if (table.kind !== "tabular") return;
    expect(table.before).toHaveLength(5);
    expect(table.before[0]![0]).toBe(study.patients[0]!.id);
    expect(table.outputColumns).not.toContain("ssn");
    expect(table.after[0]![table.outputColumns.indexOf("patient_id")]).toMatch(/^S-[A-Z2-7]{16}$/);
    const notes = await previewObject(src, BUCKET, "study/notes/notes.ndjson", studyRules, secret, 3);
    expect(notes.kind === "ndjson" && notes.after.length).toBe(3);
    const vcf = await previewObject(src, BUCKET, `study/genomes/${study.patients[0]!.id}.vcf.gz`, studyRules, secret);
    expect(vcf.kind).toBe("lines");
    if (vcf.kind !== "lines") return;
    expect(vcf.before.join("\n")).toContain(study.patients[0]!.id);
    expect(vcf.after.join("\n")).not.toContain(study.patients[0]!.id);
    expect(vcf.after.find((l) => l.startsWith("#CHROM"))).toMatch(/\tS-[A-Z2-7]{16}$/);

    // With no tabular rules kept but a default of keep, the review flags what looks like identifiers.
    const review = await reviewSubset(src, { sourceBucket: BUCKET, prefixes: ["study/"], selection: { include: [], exclude: [] }, rules: { tabular: { columns: {}, defaultAction: "keep" } }, passThrough: ["other"], acknowledged: ["tabular:ssn"] });
    const flagged = new Set(review.flagged.map((f) => f.field));
    for (const column of ["email", "phone", "first_name", "mrn", "birth_date"]) expect(flagged).toContain(column);
    expect(flagged).not.toContain("ssn"); // acknowledged
    expect(review.report.categories).toHaveLength(18);
    expect(review.passThrough).toEqual(["other"]);
    await src.close();
  });

  it("computes k-anonymity of the transformed table over the marked quasi-identifiers", async () => {
    const src = accounts.open(source);
    const secret = "a-test-secret-of-enough-bytes";
    const coarse = await privacyReport(src, BUCKET, "study/patients.csv", studyRules, secret, { quasiIdentifiers: ["sex"], threshold: 5 });
    expect(coarse).toMatchObject({ rows: 12, groups: 2, k: 6, warning: false, missing: [] });
    const fine = await privacyReport(src, BUCKET, "study/patients.csv", studyRules, secret, { quasiIdentifiers: ["sex", "zip", "birth_date"], threshold: 5 });
    expect(fine.k).toBeLessThan(5);
    expect(fine.warning).toBe(true);
    const dropped = await privacyReport(src, BUCKET, "study/patients.csv", studyRules, secret, { quasiIdentifiers: ["ssn"], threshold: 5 });
    expect(dropped.missing).toEqual(["ssn"]);
    await src.close();
  });
});

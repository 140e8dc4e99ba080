// A real worker process runs "subset.materialize" jobs: Crossdock-disk accounts (under a temporary
// LOCAL_STORAGE_ROOT), a subset made through the domain functions, the job queued as the web app does.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, forTenant, type TenantDb } from "@crossdock/db";
import { createQueue, createRedis, enqueueJob } from "@crossdock/jobs";
import { localRoot } from "@crossdock/storage";
import { createSubset, verifyManifest } from "@crossdock/subsets";

const db = createDb(process.env.DATABASE_URL!);
const redis = createRedis(process.env.REDIS_URL!);
// A key prefix of its own: the shutdown test's workers, running alongside, must not take these jobs (nor this worker theirs).
const redisPrefix = `${process.env.REDIS_PREFIX}-subsets`;
const queue = createQueue(redis, redisPrefix);
let root: string;
let worker: ChildProcess;
let tenant: TenantDb;
let sourceId: string;
let destId: string;

async function account(name: string) {
  return tenant.storageAccounts.create({ data: { id: randomUUID(), organizationId: tenant.organizationId, name, provider: "local", settings: {} } });
}

async function waitForRun(id: string, status: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await db.jobRun.findUniqueOrThrow({ where: { id } });
    if (run.status === status) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${run.status} (${run.error}), not ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "crossdock-worker-subsets-"));
  tenant = forTenant(db, (await db.organization.create({ data: { name: "Worker subsets org" } })).id);
  sourceId = (await account("source disk")).id;
  destId = (await account("partner disk")).id;
  // Crossdock disk: a bucket is a folder under the account's root.
  const study = path.join(localRoot(tenant.organizationId, sourceId, root), "hospital", "study");
  await mkdir(study, { recursive: true });
  await writeFile(path.join(study, "patients.csv"), "patient_id,ssn,zip\nP00001,123-45-6789,02134\nP00002,987-65-4321,10001\n");
  await mkdir(path.join(localRoot(tenant.organizationId, sourceId, root), "hospital", "broken"), { recursive: true });
  await writeFile(path.join(localRoot(tenant.organizationId, sourceId, root), "hospital", "broken", "ragged.csv"), "patient_id,zip\nP00001,02134,extra\n");
  await mkdir(path.join(localRoot(tenant.organizationId, destId, root), "partner"), { recursive: true });
  worker = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: path.join(import.meta.dirname, ".."), env: { ...process.env, LOCAL_STORAGE_ROOT: root, REDIS_PREFIX: redisPrefix }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    worker.stdout!.on("data", (d) => (output += d) && output.includes("ready:") && resolve());
    worker.stderr!.on("data", (d) => (output += d));
    worker.once("exit", (code) => reject(new Error(`worker exited (${code}):\n${output}`)));
  });
}, 120_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill("SIGTERM");
    await new Promise((r) => worker.once("exit", r));
  }
  await queue.close();
  redis.disconnect();
  await db.$disconnect();
  if (root) await rm(root, { recursive: true, force: true });
});

async function materialize(prefix: string, destPrefix: string) {
  const { subset, version } = await createSubset(tenant, {
    name: `worker ${prefix}`,
    definition: { sourceAccountId: sourceId, sourceBucket: "hospital", prefixes: [prefix], rules: { tabular: { columns: { patient_id: { action: "hash" }, zip: { action: "generalize", to: "zip3" } } } } },
  });
  const m = await tenant.subsetMaterializations.create({ data: { organizationId: tenant.organizationId, subsetId: subset.id, versionId: version.id, destAccountId: destId, destBucket: "partner", destPrefix } });
  const run = await enqueueJob({ queue, tenant, kind: "subset.materialize", payload: { materializationId: m.id }, requestedById: null });
  return { m, run };
}

describe("subset.materialize job", () => {
  it("writes the outputs and the signed manifest, and records the run", async () => {
    const { m, run } = await materialize("study/", "share/");
    const done = await waitForRun(run.id, "SUCCEEDED");
    expect(done.result).toMatchObject({ materializationId: m.id, objects: 1, manifestKey: "share/crossdock-manifest.json" });
    const row = await tenant.subsetMaterializations.findUniqueOrThrow({ where: { id: m.id } });
    expect(row).toMatchObject({ state: "SUCCEEDED", doneObjects: 1, plannedObjects: 1 });
    const partner = path.join(localRoot(tenant.organizationId, destId, root), "partner", "share");
    const manifest = await readFile(path.join(partner, "crossdock-manifest.json"), "utf8");
    expect(verifyManifest(manifest)).toBe(true);
    const csv = await readFile(path.join(partner, "study", "patients.csv"), "utf8");
    expect(csv.split("\n")[0]).toBe("patient_id,zip");
    expect(csv).not.toContain("P00001");
    expect(csv).not.toContain("123-45-6789");
  });

  it("fails a malformed file at once, without retries, naming file and line", async () => {
    const { m, run } = await materialize("broken/", "broken/");
    const failed = await waitForRun(run.id, "FAILED");
    expect(failed.attempts).toBe(1);
    expect(failed.error).toContain("broken/ragged.csv, line 2");
    expect(await tenant.subsetMaterializations.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({ state: "FAILED", errorKind: "Malformed" });
  });
});

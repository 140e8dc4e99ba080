// Migration benchmark: Crossdock (one worker process, driven through BullMQ like production) against rclone
// and against the emulators' own limit, S3 emulator -> Azure emulator; plus the planner alone over a big listing.
//
// Run (needs PostgreSQL + Redis; use your own data dir and ports so nobody else's services are touched):
//   CROSSDOCK_DATA_DIR=/tmp/bench-data CROSSDOCK_PG_PORT=55499 CROSSDOCK_REDIS_PORT=63899 \
//     node scripts/with-services.mjs node --import tsx bench/migrate.ts [--small=10000] [--large-gib=2] [--plan-objects=1000000]
// Other flags: --only=small,large,plan  --runs=1  --s3=fauxqs|s3rver  --shard-concurrency=2  --small-concurrency=16
//   --large-concurrency=4  --part-concurrency=4  --part-mib=8  --small-shard-objects=1000  --large-shard-mib=1024
//   --diagnose (what the worker's database sessions wait on)  --profile=DIR (worker CPU profile)  --plan-heap-mib=N
//   --preserve-metadata=false (Crossdock copies the content type only, like rclone without --metadata: no source HEAD)
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync, closeSync, openSync } from "node:fs";
import os from "node:os";
import pg from "pg";
import path from "node:path";
import { Readable } from "node:stream";
import { createMigrationQueue, createRedis, migrationEnqueuers } from "@crossdock/jobs";
import { openObjectStoreNow, type ObjectStore } from "../packages/providers/src/index.ts";
import type { AzureObjectStore } from "../packages/providers/src/azure/azure-store.ts";
import type { S3ObjectStore } from "../packages/providers/src/s3/s3-store.ts";
import { startEmulators, stopEmulators, type RunningEmulator } from "../packages/providers/src/emulators/index.ts";
import { mapConcurrent } from "../packages/providers/src/parts.ts";
import { MiB, cpuSeconds, cpuShares, loadAverage, reapedChildrenCpuSeconds, sampleMemory, seconds, spawnProcess, type Spawned } from "./lib/proc.ts";
import { workerNodeArgs } from "../apps/worker/node-args.mjs";
import { createBenchDatabase, createDemoAccount, createMigration, createTenant, deleteRedisPrefix, dropBenchDatabase, repoRoot, type Tenant } from "./lib/setup.ts";

// ---------- arguments ----------
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const SMALL_COUNT = Number(arg("small", "10000"));
const SMALL_SIZE = 16 * 1024;
const LARGE_SIZE = 64 * MiB;
const LARGE_BYTES = Number(arg("large-gib", "2")) * 1024 * MiB;
const LARGE_COUNT = Math.max(1, Math.round(LARGE_BYTES / LARGE_SIZE));
const PLAN_OBJECTS = Number(arg("plan-objects", "1000000"));
const ONLY = new Set(arg("only", "small,large,plan").split(","));
const RUNS = Number(arg("runs", "1"));
const S3_EMULATOR = arg("s3", "fauxqs") as "fauxqs" | "s3rver";
const SHARD_CONCURRENCY = Number(arg("shard-concurrency", "2"));
const SMALL_CONCURRENCY = Number(arg("small-concurrency", "16"));
const LARGE_CONCURRENCY = Number(arg("large-concurrency", "4"));
const PART_CONCURRENCY = Number(arg("part-concurrency", "4"));
const PART_SIZE = Number(arg("part-mib", "8")) * MiB;
const SMALL_SHARD_OBJECTS = Number(arg("small-shard-objects", "1000"));
const LARGE_SHARD_BYTES = Number(arg("large-shard-mib", "1024")) * MiB;
const RUN_TIMEOUT_MS = 30 * 60_000;
/** Sample pg_stat_activity during Crossdock runs and print what the worker's sessions wait on. */
const DIAGNOSE = process.argv.includes("--diagnose");
/** Write a V8 CPU profile of the worker into this directory. */
const PROFILE_DIR = arg("profile", "");
/** Also run the planner with V8's old space capped at this many MiB (tells garbage from retained memory). */
const PLAN_HEAP_MIB = Number(arg("plan-heap-mib", "0"));
/** Also run the planner with these node flags (comma-separated), e.g. --plan-node-args=--max-semi-space-size=4 */
const PLAN_NODE_ARGS = arg("plan-node-args", "").split(",").filter(Boolean);
/** The migration option preserveMetadata (default true: user metadata travels, which costs a HEAD per object on S3). */
const PRESERVE_METADATA = arg("preserve-metadata", "true") !== "false";

const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
if (!DATABASE_URL || !REDIS_URL) {
  console.error("DATABASE_URL and REDIS_URL are needed: run under `node scripts/with-services.mjs node --import tsx bench/migrate.ts`.");
  process.exit(2);
}

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- what each scenario copies and how ----------
interface Scenario {
  name: "small" | "large";
  label: string;
  prefix: string;
  count: number;
  size: number;
  /** Objects in flight per shard (migration option `concurrency`). */
  objectConcurrency: number;
  shard: { maxObjects: number; maxBytes: number };
  /** Object-level parallelism of the whole worker: shard concurrency x object concurrency. */
  parallelism: number;
}

const scenarios: Scenario[] = [
  {
    name: "small",
    label: `(a) ${SMALL_COUNT} x 16 KiB`,
    prefix: "small/",
    count: SMALL_COUNT,
    size: SMALL_SIZE,
    objectConcurrency: SMALL_CONCURRENCY,
    shard: { maxObjects: SMALL_SHARD_OBJECTS, maxBytes: 1024 * MiB },
    parallelism: SHARD_CONCURRENCY * SMALL_CONCURRENCY,
  },
  {
    name: "large",
    label: `(b) ${LARGE_COUNT} x 64 MiB`,
    prefix: "large/",
    count: LARGE_COUNT,
    size: LARGE_SIZE,
    objectConcurrency: LARGE_CONCURRENCY,
    shard: { maxObjects: 1000, maxBytes: LARGE_SHARD_BYTES },
    parallelism: SHARD_CONCURRENCY * LARGE_CONCURRENCY,
  },
];

interface Row {
  scenario: string;
  tool: string;
  objects: number;
  bytes: number;
  seconds: number;
  peakMiB?: number;
  note?: string;
}
const rows: Row[] = [];

// ---------- data ----------
function smallBody(i: number): Buffer {
  const body = Buffer.alloc(SMALL_SIZE);
  for (let o = 0; o < SMALL_SIZE; o += 4) body.writeUInt32LE(((o + i * 7919) * 2654435761) >>> 0, o);
  body.write(`object ${i}\n`, 0);
  return body;
}

/** Incompressible-enough bytes, produced 1 MiB at a time (never held whole). */
function bigStream(size: number, seed: number): Readable {
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE(((i + seed) * 2654435761) >>> 0, i);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return this.push(null);
      const n = Math.min(MiB, size - sent);
      sent += n;
      this.push(Buffer.from(chunk.subarray(0, n)));
    },
  });
}

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const c of stream) n += (c as Buffer).length;
  return n;
}

const keyOf = (sc: Scenario, i: number) => `${sc.prefix}${String(i).padStart(6, "0")}${sc.name === "large" ? ".bin" : ".dat"}`;

async function seed(source: S3ObjectStore, bucket: string, sc: Scenario): Promise<void> {
  const started = process.hrtime.bigint();
  const indexes = Array.from({ length: sc.count }, (_, i) => i);
  if (sc.name === "small") {
    await mapConcurrent(indexes, 32, (i) => source.client.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(sc, i), Body: smallBody(i), ContentType: "application/octet-stream" })));
  } else {
    // Multipart through our store (fauxqs refuses requests over 11 MiB): 8 MiB parts.
    await mapConcurrent(indexes, 2, (i) => source.writeObject(bucket, keyOf(sc, i), bigStream(sc.size, i), { partSize: 8 * MiB, concurrency: 4, contentType: "application/octet-stream" }));
  }
  log(`seeded ${sc.count} objects under ${sc.prefix} in ${seconds(started).toFixed(1)} s`);
}

async function countObjects(store: ObjectStore, bucket: string, prefix: string): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  for await (const page of store.listObjects(bucket, { prefix })) {
    for (const o of page.objects) {
      objects++;
      bytes += o.size;
    }
  }
  return { objects, bytes };
}

// ---------- Crossdock: one worker process through BullMQ ----------
interface Env {
  tenant: Tenant;
  benchUrl: string;
  demoCloudsFile: string;
  workDir: string;
  source: S3ObjectStore;
  sourceBucket: string;
  dest: AzureObjectStore;
  s3: RunningEmulator;
  azure: RunningEmulator;
  redisPrefixes: string[];
  running: Set<Spawned>;
}

async function runCrossdock(env: Env, sc: Scenario, run: number): Promise<Row> {
  const container = `crossdock-${sc.name}-${run}`;
  await env.dest.createBucket(container);
  const migrationId = await createMigration(
    env.tenant,
    { name: `bench ${sc.name} ${run}`, sourceAccountId: "bench-src", sourceBucket: env.sourceBucket, sourcePrefix: sc.prefix, destAccountId: "bench-dst", destBucket: container, destPrefix: sc.prefix },
    { concurrency: sc.objectConcurrency, shard: sc.shard, verify: "hash", preserveMetadata: PRESERVE_METADATA },
  );
  const prefix = `crossdock-bench-${process.pid}-${sc.name}-${run}`;
  env.redisPrefixes.push(prefix);
  const worker = spawnProcess(process.execPath, [...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : []), ...workerNodeArgs(), "src/main.ts"], {
    cwd: path.join(repoRoot, "apps", "worker"),
    env: {
      ...process.env,
      DATABASE_URL: env.benchUrl,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DEMO_CLOUDS_FILE: env.demoCloudsFile,
      LOCAL_STORAGE_ROOT: path.join(env.workDir, "local-storage"),
      MIGRATION_SHARD_CONCURRENCY: String(SHARD_CONCURRENCY),
    },
  });
  env.running.add(worker);
  const memory = sampleMemory(worker.child.pid!);
  const queueRedis = createRedis(REDIS_URL!);
  const queue = createMigrationQueue(queueRedis, prefix);
  try {
    await worker.waitForLine(/ready: queue/);
    await sleep(500);
    const idle = sampleMemory(worker.child.pid!).stop().peakMiB;
    let exited = false;
    void worker.exited.then(() => (exited = true));
    const cpuBefore = cpuSeconds(worker.child.pid!);
    const shares = cpuShares({ worker: worker.child.pid, [env.s3.name]: env.s3.pid, azurite: env.azure.pid });
    const waits = DIAGNOSE ? sampleWaits(env.benchUrl) : undefined;
    const enqueuedAt = Date.now();
    const started = process.hrtime.bigint();
    await migrationEnqueuers(queue).enqueuePlan(migrationId);
    for (;;) {
      const m = await env.tenant.db.migration.findUniqueOrThrow({ where: { id: migrationId }, select: { pass: true, state: true, lastError: true } });
      if (m.state === "FAILED" || m.state === "CANCELLED") throw new Error(`migration ${m.state}: ${m.lastError}\n${worker.output()}`);
      if (m.pass >= 1 || m.state === "READY_FOR_CUTOVER" || m.state === "COMPLETED") break;
      if (exited) throw new Error(`worker exited during the run\n${worker.output()}`);
      if (seconds(started) * 1000 > RUN_TIMEOUT_MS) throw new Error(`timed out\n${worker.output()}`);
      await sleep(100);
    }
    const polled = seconds(started);
    const cpu = cpuSeconds(worker.child.pid!) - cpuBefore;
    const cpuNote = shares.stop();
    const peak = memory.stop();
    if (waits) log(`pg_stat_activity of the bench database during the run (samples):\n${await waits.stop()}`);
    const shards = await env.tenant.db.migrationShard.findMany({ where: { migrationId, pass: 0 } });
    const lastFinish = Math.max(...shards.map((s) => s.finishedAt?.getTime() ?? 0));
    const copied = shards.reduce((n, s) => n + s.copiedObjects, 0);
    const bytes = shards.reduce((n, s) => n + Number(s.copiedBytes), 0);
    const failed = shards.reduce((n, s) => n + s.failed, 0);
    let failures = "";
    if (copied !== sc.count || failed > 0) {
      // Reported, not fatal: the run's time still says something, and the reason is what matters.
      const bad = await env.tenant.db.migrationObject.findMany({ where: { migrationId, result: "FAILED" }, select: { key: true, error: true }, take: 3 });
      const reason = (e: string | null) => (e ?? "").replace(/\s+/g, " ").replace(/.*(?=Transaction API error)|^.*invocation in \S+ /, "").slice(0, 160);
      failures = `; COPIED ${copied}/${sc.count}, FAILED ${failed}: ${bad.map((b) => `${b.key}: ${reason(b.error)}`).join(" | ")}`;
      log(`Crossdock run ${run}${failures}`);
    }
    const elapsed = lastFinish > 0 ? (lastFinish - enqueuedAt) / 1000 : polled;
    return {
      scenario: sc.label,
      tool: `Crossdock #${run}`,
      objects: copied,
      bytes,
      seconds: elapsed,
      peakMiB: peak.peakMiB,
      note: `${shards.length} shards, ${SHARD_CONCURRENCY}x${sc.objectConcurrency}${PRESERVE_METADATA ? "" : ", no metadata"}${sc.name === "large" ? `x${PART_CONCURRENCY} parts` : ""}; worker CPU ${((cpu / polled) * 100).toFixed(0)}%; ${cpuNote}; idle RSS ${idle.toFixed(0)} MiB${failures}`,
    };
  } finally {
    memory.stop();
    await worker.stop("SIGTERM", 20_000);
    env.running.delete(worker);
    await env.tenant.db.migration.update({ where: { id: migrationId }, data: { state: "CANCELLED" } }).catch(() => {});
    await queue.close().catch(() => {});
    queueRedis.disconnect();
    await env.dest.deleteBucket(container).catch(() => {});
  }
}

/** What the worker's database sessions are doing, sampled every 50 ms (a diagnosis aid, --diagnose). */
function sampleWaits(url: string): { stop(): Promise<string> } {
  const client = new pg.Client({ connectionString: url });
  const counts = new Map<string, number>();
  let stopped = false;
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query<{ s: string }>(
        `select coalesce(wait_event_type, '-') || ':' || coalesce(wait_event, '-') || ' ' || state || ' ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 70) as s
         from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`,
      );
      for (const r of rows) counts.set(r.s, (counts.get(r.s) ?? 0) + 1);
      counts.set("(samples)", (counts.get("(samples)") ?? 0) + 1);
      await sleep(50);
    }
    await client.end();
  })();
  return {
    async stop() {
      stopped = true;
      await loop.catch(() => {});
      return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `  ${String(v).padStart(6)}  ${k}`).join("\n");
    },
  };
}

// ---------- rclone ----------
function writeRcloneConfig(env: Env): string {
  const s3 = env.s3.config as { endpoint: string; accessKeyId: string; secretAccessKey: string };
  const file = path.join(env.workDir, "rclone.conf");
  writeFileSync(
    file,
    [
      "[src]",
      "type = s3",
      "provider = Other",
      `endpoint = ${s3.endpoint}`,
      `access_key_id = ${s3.accessKeyId}`,
      `secret_access_key = ${s3.secretAccessKey}`,
      "force_path_style = true",
      "region = us-east-1",
      "",
      "[dst]",
      "type = azureblob",
      "use_emulator = true",
      `endpoint = ${env.azure.url}`,
      "",
    ].join("\n"),
  );
  return file;
}

async function runRclone(env: Env, sc: Scenario, run: number, config: string): Promise<Row> {
  const container = `rclone-${sc.name}-${run}`;
  await env.dest.createBucket(container);
  const childEnv = { ...process.env };
  delete childEnv.AWS_CA_BUNDLE; // rclone's S3 backend fails with it set (see ENVIRONMENT.md)
  const transfers = String(sc.parallelism);
  const args = ["--config", config, "copy", `src:${env.sourceBucket}/${sc.prefix}`, `dst:${container}/${sc.prefix}`, "--transfers", transfers, "--checkers", transfers, "-q"];
  // Same part size and per-object part concurrency as Crossdock's Azure writes.
  if (sc.name === "large") args.push("--azureblob-chunk-size", `${PART_SIZE / MiB}M`, "--azureblob-upload-concurrency", String(PART_CONCURRENCY));
  try {
    const started = process.hrtime.bigint();
    const child = spawnProcess("rclone", args, { env: childEnv });
    env.running.add(child);
    const memory = sampleMemory(child.child.pid!);
    // rclone's own CPU is read from the kernel's account of reaped children: /proc/<pid> is gone once it exits.
    const reapedBefore = reapedChildrenCpuSeconds();
    const shares = cpuShares({ [env.s3.name]: env.s3.pid, azurite: env.azure.pid });
    const { code } = await child.exited;
    const elapsed = seconds(started);
    const cpuNote = shares.stop().replace(/^CPU /, `CPU rclone ${(((reapedChildrenCpuSeconds() - reapedBefore) / elapsed) * 100).toFixed(0)}%, `);
    const peak = memory.stop();
    env.running.delete(child);
    if (code !== 0) throw new Error(`rclone exited ${code}\n${child.output()}`);
    const copied = await countObjects(env.dest, container, sc.prefix);
    const short = copied.objects !== sc.count ? `; COPIED ${copied.objects}/${sc.count}: ${child.output().slice(-300)}` : "";
    return { scenario: sc.label, tool: `rclone #${run}`, objects: copied.objects, bytes: copied.bytes, seconds: elapsed, peakMiB: peak.peakMiB, note: `--transfers ${transfers}${sc.name === "large" ? ` chunk ${PART_SIZE / MiB}M x${PART_CONCURRENCY}` : ""}; ${cpuNote}${short}` };
  } finally {
    await env.dest.deleteBucket(container).catch(() => {});
  }
}

// ---------- the emulators' own limit: raw SDK loops at the same concurrency (GET alone, PUT alone, and a copy) ----------
async function runEmulatorLimit(env: Env, sc: Scenario): Promise<Row[]> {
  const keys = Array.from({ length: sc.count }, (_, i) => keyOf(sc, i));
  const c = env.source.client;
  const getShares = cpuShares({ bench: process.pid, [env.s3.name]: env.s3.pid });
  const started = process.hrtime.bigint();
  const got = await mapConcurrent(keys, sc.parallelism, async (key) => drain((await c.send(new GetObjectCommand({ Bucket: env.sourceBucket, Key: key }))).Body as Readable));
  const getSeconds = seconds(started);
  const getCpu = getShares.stop();
  const getBytes = got.reduce((a, b) => a + b, 0);

  const container = `raw-${sc.name}`;
  await env.dest.createBucket(container);
  const cc = env.dest.service.getContainerClient(container);
  try {
    const body = sc.name === "small" ? smallBody(1) : bigStream(PART_SIZE, 1).read(PART_SIZE) ?? Buffer.alloc(PART_SIZE, 1);
    const blocks = Math.ceil(sc.size / PART_SIZE);
    const ids = Array.from({ length: blocks }, (_, j) => Buffer.from(`block-${String(j).padStart(6, "0")}`).toString("base64"));
    const putShares = cpuShares({ bench: process.pid, azurite: env.azure.pid });
    const putStarted = process.hrtime.bigint();
    await mapConcurrent(keys, sc.parallelism, async (key) => {
      const blob = cc.getBlockBlobClient(key);
      if (sc.name === "small") {
        await blob.upload(body, body.length);
        return;
      }
      // Block blob the way Crossdock and rclone write it: staged blocks in parallel, then the block list.
      await mapConcurrent(ids, PART_CONCURRENCY, (id) => blob.stageBlock(id, body, body.length));
      await blob.commitBlockList(ids);
    });
    const putSeconds = seconds(putStarted);
    const putCpu = putShares.stop();
    const mode = `${sc.parallelism} at once${sc.name === "large" ? `, ${PART_SIZE / MiB} MiB blocks x${PART_CONCURRENCY}` : ""}`;
    // What a copy through both emulators at once reaches with the raw SDKs (no hashing, no records, no listing):
    // GET from the S3 emulator, PUT to azurite, per object. Both emulators then share the machine, as in every copy.
    // Each object is read whole, then written (staged blocks for large ones, as above): the simplest raw copy.
    const copyShares = cpuShares({ bench: process.pid, [env.s3.name]: env.s3.pid, azurite: env.azure.pid });
    const copyStarted = process.hrtime.bigint();
    let copyError = "";
    await mapConcurrent(keys, sc.parallelism, async (key) => {
      const out = await c.send(new GetObjectCommand({ Bucket: env.sourceBucket, Key: key }));
      const bytes = Buffer.from(await out.Body!.transformToByteArray());
      const blob = cc.getBlockBlobClient(`copy/${key}`);
      if (sc.name === "small") await blob.upload(bytes, bytes.length);
      else await blob.uploadData(bytes, { blockSize: PART_SIZE, concurrency: PART_CONCURRENCY });
    }).catch((error: unknown) => {
      copyError = `; FAILED: ${String(error).slice(0, 120)}`;
    });
    const copySeconds = seconds(copyStarted);
    const copyCpu = copyShares.stop();
    return [
      { scenario: sc.label, tool: "raw copy loop", objects: copyError ? 0 : sc.count, bytes: sc.count * sc.size, seconds: copySeconds, note: `SDK GET -> SDK PUT, ${mode}; ${copyCpu}${copyError}` },
      { scenario: sc.label, tool: `raw GET ${S3_EMULATOR}`, objects: sc.count, bytes: getBytes, seconds: getSeconds, note: `${mode}; ${getCpu}` },
      { scenario: sc.label, tool: "raw PUT azurite", objects: sc.count, bytes: sc.count * sc.size, seconds: putSeconds, note: `${mode}; ${putCpu}` },
    ];
  } finally {
    await env.dest.deleteBucket(container).catch(() => {});
  }
}

// ---------- (c) the planner alone over a big local listing ----------
async function runPlanner(env: Env, planRoot: string): Promise<Row[]> {
  const started = process.hrtime.bigint();
  mkdirSync(path.join(planRoot, "plan-dst"), { recursive: true });
  const makeFiles = (bucket: string, count: number) => {
    const perDir = 1000;
    let made = 0;
    for (let d = 0; made < count; d++) {
      const dir = path.join(planRoot, bucket, `d${String(d).padStart(5, "0")}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < perDir && made < count; f++, made++) closeSync(openSync(path.join(dir, `f${String(f).padStart(4, "0")}`), "w"));
    }
  };
  makeFiles("plan-small", 1000);
  makeFiles("plan", PLAN_OBJECTS);
  log(`created 1000 + ${PLAN_OBJECTS} empty files in ${seconds(started).toFixed(1)} s (not timed)`);

  const rows: Row[] = [];
  // The worker's own node flags (apps/worker/node-args.mjs): the planner runs inside a worker in production.
  const worker = workerNodeArgs();
  const tsx = ["--import", "tsx"];
  const variants: { label: string; bucket: string; objects: number; nodeArgs: string[] }[] = [
    { label: "Crossdock planner", bucket: "plan-small", objects: 1000, nodeArgs: worker },
    { label: "Crossdock planner", bucket: "plan", objects: PLAN_OBJECTS, nodeArgs: worker },
    { label: "planner, V8 defaults (no heap cap)", bucket: "plan", objects: PLAN_OBJECTS, nodeArgs: tsx },
  ];
  if (PLAN_HEAP_MIB) variants.push({ label: `planner, old space <= ${PLAN_HEAP_MIB} MiB`, bucket: "plan", objects: PLAN_OBJECTS, nodeArgs: [`--max-old-space-size=${PLAN_HEAP_MIB}`, ...tsx] });
  if (PLAN_NODE_ARGS.length) variants.push({ label: `planner, ${PLAN_NODE_ARGS.join(" ")}`, bucket: "plan", objects: PLAN_OBJECTS, nodeArgs: [...PLAN_NODE_ARGS, ...tsx] });
  for (const variant of variants) {
    const migrationId = await createMigration(
      env.tenant,
      { name: `bench plan ${variant.label} ${variant.objects}`, sourceAccountId: "bench-local", sourceBucket: variant.bucket, sourcePrefix: "", destAccountId: "bench-local", destBucket: "plan-dst", destPrefix: "" },
      {},
    );
    const child = spawnProcess(process.execPath, [...variant.nodeArgs, path.join(repoRoot, "bench", "lib", "plan-child.ts"), migrationId], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: env.benchUrl, DEMO_CLOUDS_FILE: env.demoCloudsFile },
    });
    env.running.add(child);
    const memory = sampleMemory(child.child.pid!);
    const line = await child.waitForLine(/^\{"result"/, RUN_TIMEOUT_MS);
    const peak = memory.stop();
    await child.exited;
    env.running.delete(child);
    const result = JSON.parse(line).result as { outcome: { status: string; shards?: number; objects?: number }; seconds: number; enqueued: number; hwmKiB: number; heap: { totalMiB: number; usedMiB: number } };
    if (result.outcome.status !== "planned" || result.outcome.objects !== variant.objects) throw new Error(`planner: ${line}`);
    await env.tenant.db.migration.update({ where: { id: migrationId }, data: { state: "CANCELLED" } });
    rows.push({
      scenario: `(c) plan ${variant.objects} local objects`,
      tool: variant.label,
      objects: result.outcome.objects,
      bytes: 0,
      seconds: result.seconds,
      peakMiB: Math.max(peak.peakMiB, result.hwmKiB / 1024),
      note: `${result.outcome.shards} shards cut (1000 objects each), one child process; V8 heap peak ${result.heap.totalMiB.toFixed(0)} MiB reserved, ${result.heap.usedMiB.toFixed(0)} MiB used`,
    });
  }
  return rows;
}

// ---------- output ----------
function printTable(all: Row[], loadStart: string, loadEnd: string) {
  const head = ["scenario", "tool", "objects", "MiB", "seconds", "objects/s", "MiB/s", "peak RSS MiB", "notes"];
  const body = all.map((r) => [
    r.scenario,
    r.tool,
    String(r.objects),
    (r.bytes / MiB).toFixed(0),
    r.seconds.toFixed(2),
    (r.objects / r.seconds).toFixed(0),
    r.bytes ? (r.bytes / MiB / r.seconds).toFixed(1) : "-",
    r.peakMiB === undefined ? "-" : r.peakMiB.toFixed(0),
    r.note ?? "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 7 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
  console.log(`\nCrossdock migration benchmark: ${S3_EMULATOR} -> azurite; ${os.cpus().length} cores; load average at start ${loadStart}, at end ${loadEnd}`);
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));

  console.log("\nRatios (best complete run of each; targets: >= 1.5x rclone on small, >= 1.0x on large, >= 0.8x of the emulator limit; planner < 300 MiB)");
  for (const sc of scenarios) {
    const of = (prefix: string) => all.filter((r) => r.scenario === sc.label && r.tool.startsWith(prefix));
    const rate = (r: Row) => (sc.name === "small" ? r.objects / r.seconds : r.bytes / MiB / r.seconds);
    // Runs that did not copy everything do not count.
    const best = (rs: Row[]) => {
      const complete = rs.filter((r) => r.objects === sc.count);
      return complete.length ? Math.max(...complete.map(rate)) : NaN;
    };
    const cd = best(of("Crossdock"));
    const rc = best(of("rclone"));
    const limit = Math.min(best(of("raw GET")), best(of("raw PUT")));
    const rawCopy = best(of("raw copy loop"));
    if (Number.isNaN(cd)) continue;
    const unit = sc.name === "small" ? "objects/s" : "MiB/s";
    const target = sc.name === "small" ? 1.5 : 1.0;
    const vsRclone = cd / rc;
    const vsLimit = cd / limit;
    console.log(
      `${sc.label}: Crossdock ${cd.toFixed(1)} ${unit}, rclone ${rc.toFixed(1)}, emulator limit ${limit.toFixed(1)} -> ` +
        `Crossdock/rclone ${vsRclone.toFixed(2)}x (target ${target.toFixed(1)}x: ${vsRclone >= target ? "met" : "MISSED"}), ` +
        `Crossdock/limit ${(vsLimit * 100).toFixed(0)}% (target 80%: ${vsLimit >= 0.8 ? "met" : "MISSED"}); ` +
        `raw SDK copy loop through both emulators ${rawCopy.toFixed(1)} ${unit}, Crossdock/raw copy ${((cd / rawCopy) * 100).toFixed(0)}%`,
    );
  }
  const small = all.find((r) => r.scenario === "(c) plan 1000 local objects" && r.tool === "Crossdock planner");
  for (const plan of all.filter((r) => r.scenario.startsWith("(c)"))) {
    const flat = small && plan !== small ? `, ${(plan.peakMiB! / small.peakMiB!).toFixed(2)}x the peak for 1,000 objects` : "";
    console.log(`${plan.scenario}, ${plan.tool}: ${(plan.objects / plan.seconds).toFixed(0)} objects/s, peak RSS ${plan.peakMiB!.toFixed(0)} MiB${flat} (target < 300 MiB: ${plan.peakMiB! < 300 ? "met" : "MISSED"})`);
  }
}

// ---------- main ----------
const loadStart = loadAverage();
log(`load average at start: ${loadStart}`);
const dataRoot = process.env.CROSSDOCK_DATA_DIR ? path.resolve(process.env.CROSSDOCK_DATA_DIR) : os.tmpdir();
const workDir = path.join(dataRoot, `bench-migrate-${process.pid}`);
mkdirSync(workDir, { recursive: true });
const dbName = `crossdock_bench_${process.pid}`;
const running = new Set<Spawned>();
const redisPrefixes: string[] = [];
let emulators: RunningEmulator[] = [];
let tenant: Tenant | undefined;
let dbCreated = false;
let exitCode = 0;

const interrupt = () => {
  log("interrupted: cleaning up");
  exitCode = 130;
  for (const c of running) c.child.kill("SIGKILL");
};
process.once("SIGINT", interrupt);
process.once("SIGTERM", interrupt);

try {
  const benchUrl = await createBenchDatabase(DATABASE_URL, dbName);
  dbCreated = true;
  log(`database ${dbName} created and migrated`);
  const needClouds = ONLY.has("small") || ONLY.has("large");
  if (needClouds) {
    emulators = await startEmulators([S3_EMULATOR, "azurite"]);
    log(`emulators: ${emulators.map((e) => `${e.name} ${e.url}`).join(", ")}`);
  }
  const s3 = emulators.find((e) => e.name === S3_EMULATOR);
  const azure = emulators.find((e) => e.name === "azurite");
  const planRoot = path.join(workDir, "plan-root");
  const demoCloudsFile = path.join(workDir, "demo-clouds.json");
  const clouds = [{ name: "bench-local", label: "bench local", provider: "local", bucket: "plan", config: { provider: "local", rootDir: planRoot } }];
  if (s3 && azure) {
    clouds.push({ name: "bench-s3", label: "bench S3", provider: "s3", bucket: "source", config: s3.config as never });
    // Part size / parts in flight of Azure writes: the account-level knobs.
    clouds.push({ name: "bench-azure", label: "bench Azure", provider: "azure", bucket: "dest", config: { ...(azure.config as object), partSize: PART_SIZE, concurrency: PART_CONCURRENCY } as never });
  }
  writeFileSync(demoCloudsFile, JSON.stringify({ clouds }));
  tenant = await createTenant(benchUrl);
  await createDemoAccount(tenant, "bench-src", "s3", "bench-s3");
  await createDemoAccount(tenant, "bench-dst", "azure", "bench-azure");
  await createDemoAccount(tenant, "bench-local", "local", "bench-local");

  if (s3 && azure) {
    const source = (await openObjectStoreNow(s3.config)) as S3ObjectStore;
    const dest = (await openObjectStoreNow(azure.config)) as AzureObjectStore;
    const sourceBucket = "bench-source";
    await source.createBucket(sourceBucket);
    const env: Env = { tenant, benchUrl, demoCloudsFile, workDir, source, sourceBucket, dest, s3, azure, redisPrefixes, running };
    const rcloneConfig = writeRcloneConfig(env);
    for (const sc of scenarios) {
      if (!ONLY.has(sc.name) || exitCode) continue;
      await seed(source, sourceBucket, sc);
      for (let run = 1; run <= RUNS && !exitCode; run++) {
        log(`${sc.label}: Crossdock run ${run}...`);
        rows.push(await runCrossdock(env, sc, run));
        log(`  ${JSON.stringify(rows.at(-1))}`);
        log(`${sc.label}: rclone run ${run}...`);
        rows.push(await runRclone(env, sc, run, rcloneConfig));
        log(`  ${JSON.stringify(rows.at(-1))}`);
      }
      log(`${sc.label}: emulator limit (raw SDK loops)...`);
      rows.push(...(await runEmulatorLimit(env, sc)));
      log(`  ${JSON.stringify(rows.slice(-2))}`);
      // Free the source emulator's memory before the next scenario.
      await source.deleteObjects(sourceBucket, Array.from({ length: sc.count }, (_, i) => keyOf(sc, i))).catch(() => undefined);
    }
    await source.close();
    await dest.close();
  }
  if (ONLY.has("plan") && !exitCode) {
    log(`(c) planner over ${PLAN_OBJECTS} local objects...`);
    const planRows = await runPlanner({ tenant, benchUrl, demoCloudsFile, workDir, running, redisPrefixes } as unknown as Env, planRoot);
    rows.push(...planRows);
    log(`  ${JSON.stringify(planRows)}`);
  }
  printTable(rows, loadStart, loadAverage());
} catch (error) {
  exitCode ||= 1;
  console.error(error);
  if (rows.length) printTable(rows, loadStart, loadAverage());
} finally {
  for (const c of running) await c.stop("SIGKILL", 5_000);
  await tenant?.db.$disconnect().catch(() => {});
  if (dbCreated) await dropBenchDatabase(DATABASE_URL, dbName).catch((e) => log(`could not drop ${dbName}: ${e}`));
  for (const p of redisPrefixes) await deleteRedisPrefix(REDIS_URL, p).catch(() => {});
  await stopEmulators(emulators);
  // rm(1) is much faster than fs.rmSync over a million files.
  if (spawnSync("rm", ["-rf", workDir]).status !== 0) rmSync(workDir, { recursive: true, force: true });
  log("cleaned up (database, Redis keys, emulators, files)");
}
process.exit(exitCode);

// Fleet-wide limits against the real Redis: request rates per account and a migration's bandwidth cap hold
// across processes and across concurrent shard runners that share nothing but Redis.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { openObjectStore, type ObjectStore, type ObjectStoreConfigInput, type RequestLimiter } from "@crossdock/providers";
import { startAzurite, type RunningEmulator } from "@crossdock/providers/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisFleetLimits, SharedTokenBucket, type FleetLimits } from "../src/fleet-limits.ts";
import { planPass } from "../src/plan.ts";
import { runShard } from "../src/shard.ts";
import { createAccount, createMigration, db, FAST_RETRY, localPair, mapConcurrent, removeLocalPair, TestEngine } from "./helpers.ts";

const REDIS_URL = process.env.REDIS_URL!;
const PREFIX = `${process.env.REDIS_PREFIX ?? "crossdock-test"}-fleet-${randomUUID().slice(0, 8)}`;
const here = path.dirname(fileURLToPath(import.meta.url));
const connections: Redis[] = [];
/** A connection of its own: what a separate worker would have. */
const connect = () => {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  connections.push(r);
  return r;
};

let pair: Awaited<ReturnType<typeof localPair>>;
let azurite: RunningEmulator;

beforeAll(async () => {
  [pair, azurite] = await Promise.all([localPair("fleet limits"), startAzurite()]);
});

afterAll(async () => {
  const cleanup = connect();
  const keys = await cleanup.keys(`${PREFIX}*`);
  if (keys.length) await cleanup.del(...keys);
  for (const c of connections) c.disconnect();
  await azurite?.stop();
  await removeLocalPair(pair.root);
});

function runChild(args: string[]): Promise<{ taken: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "fixtures", "take-tokens.ts"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!)) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

describe("SharedTokenBucket", () => {
  it("holds two processes together to the configured rate", async () => {
    const rate = 200;
    const seconds = 3;
    // Both start together once both have loaded (tsx start-up is slow on a busy machine).
    const from = Date.now() + 6000;
    const until = from + seconds * 1000;
    const key = `${PREFIX}:two-processes`;
    const [a, b] = await Promise.all([runChild([REDIS_URL, key, String(rate), String(from), String(until)]), runChild([REDIS_URL, key, String(rate), String(from), String(until)])]);
    const achieved = (a.taken + b.taken) / seconds;
    const bucket = new SharedTokenBucket(connect(), key, rate);
    // At most the rate plus one burst and one lease per process; at least 85% of it (both were asking all along).
    expect(achieved, `achieved ${achieved.toFixed(1)}/s of ${rate}/s (${a.taken} + ${b.taken})`).toBeLessThanOrEqual(rate + (bucket.burst + 2 * bucket.lease) / seconds);
    expect(achieved).toBeGreaterThanOrEqual(rate * 0.85);
    // Both got a fair share, not one starving the other.
    expect(Math.min(a.taken, b.taken)).toBeGreaterThan(0.3 * (a.taken + b.taken));
  }, 60_000);

  it("a throttle reported by one worker holds back another worker's requests", async () => {
    const key = `${PREFIX}:penalty`;
    const one = new SharedTokenBucket(connect(), key, 1000);
    const other = new SharedTokenBucket(connect(), key, 1000);
    await other.take(1);
    one.penalize(800);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await other.take(other.lease + 1); // more than it may still hold leased
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
  });
});

/** What a separate worker has: its own Redis connection and limits, its own engine over the same database. */
function workerEngine(configs: [string, ObjectStoreConfigInput][], onRequest?: (at: number) => void): TestEngine & { limits: FleetLimits } {
  const engine = new TestEngine() as TestEngine & { limits: FleetLimits };
  engine.limits = redisFleetLimits(connect(), PREFIX);
  for (const [id, config] of configs) engine.configs.set(id, config);
  engine.openStore = (account) => {
    const limiter = engine.limits.requests(account);
    const counted: RequestLimiter | undefined = limiter && {
      acquire: async (signal) => {
        await limiter.acquire(signal);
        onRequest?.(Date.now());
      },
      throttled: (ms) => limiter.throttled(ms),
    };
    return openObjectStore({ ...engine.configs.get(account.id)!, retry: FAST_RETRY } as ObjectStoreConfigInput, { limiter: counted });
  };
  return engine;
}

/** Plans a migration, then runs its pass-0 shards at once, spread over the engines; returns the seconds the copy took. */
async function planAndRunShards(migrationId: string, engines: TestEngine[]): Promise<number> {
  await planPass(engines[0]!, migrationId);
  const shards = await db.migrationShard.findMany({ where: { migrationId, pass: 0 }, orderBy: { index: "asc" } });
  // Two full shards and the open-ended tail (empty here).
  expect(shards.filter((s) => s.plannedObjects > 0).length).toBe(engines.length);
  const started = Date.now();
  await Promise.all(shards.map((s, i) => runShard(engines[i % engines.length]!, s.id, { heartbeatMs: 200 })));
  return (Date.now() - started) / 1000;
}

describe("fleet limits in migrations", () => {
  it("a migration's bandwidth cap holds across two shards on two workers", async () => {
    const { src, dst, org } = pair;
    await Promise.all([src.createBucket("bw-src"), dst.createBucket("bw-dst")]);
    const size = 256 * 1024;
    const count = 8;
    await mapConcurrent(Array.from({ length: count }, (_, i) => i), 4, (i) => src.writeObject("bw-src", `o${i}`, randomBytes(size)));
    const a = await createAccount(org, { provider: "local", rootDir: path.join(pair.root, "a") });
    const b = await createAccount(org, { provider: "local", rootDir: path.join(pair.root, "b") });
    const rate = 512 * 1024;
    const migrationId = await createMigration({ organizationId: org, source: a, sourceBucket: "bw-src", dest: b, destBucket: "bw-dst", options: { bandwidthLimitBytesPerSec: rate, shard: { maxObjects: count / 2 } } });
    const configs: [string, ObjectStoreConfigInput][] = [
      [a.id, { provider: "local", rootDir: path.join(pair.root, "a") }],
      [b.id, { provider: "local", rootDir: path.join(pair.root, "b") }],
    ];
    const seconds = await planAndRunShards(migrationId, [workerEngine(configs), workerEngine(configs)]);
    const copied = await db.migrationShard.aggregate({ where: { migrationId }, _sum: { copiedObjects: true } });
    expect(copied._sum.copiedObjects).toBe(count);
    // 2 MiB at 512 KiB/s: about 4 s less the burst (128 KiB) and leases. Per-shard caps would take half that.
    const total = size * count;
    const achieved = total / seconds;
    expect(achieved, `achieved ${(achieved / 1024).toFixed(0)} KiB/s of ${rate / 1024} KiB/s in ${seconds.toFixed(2)} s`).toBeLessThanOrEqual(rate * 1.2);
    expect(achieved).toBeGreaterThanOrEqual(rate * 0.6);
  }, 60_000);

  it("an account's request rate holds across two shards on two workers, every request counted", async () => {
    const { src, org } = pair;
    await src.createBucket("rq-src");
    const count = 120;
    await mapConcurrent(Array.from({ length: count }, (_, i) => i), 16, (i) => src.writeObject("rq-src", `k${String(i).padStart(3, "0")}`, randomBytes(512)));
    const a = await createAccount(org, { provider: "local", rootDir: path.join(pair.root, "a") });
    const dest = await createAccount(org, azurite.config);
    const rate = 40;
    await db.storageAccount.update({ where: { id: dest.id }, data: { requestsPerSecond: rate } });
    const container = `rq-${randomUUID().slice(0, 8)}`;
    const azure: ObjectStore = openObjectStore(azurite.config);
    await azure.createBucket(container);
    const migrationId = await createMigration({ organizationId: org, source: a, sourceBucket: "rq-src", dest, destBucket: container, options: { shard: { maxObjects: count / 2 }, concurrency: 16 } });
    const configs: [string, ObjectStoreConfigInput][] = [
      [a.id, { provider: "local", rootDir: path.join(pair.root, "a") }],
      [dest.id, azurite.config],
    ];
    const requests: number[] = [];
    const seconds = await planAndRunShards(migrationId, [workerEngine(configs, (t) => requests.push(t)), workerEngine(configs, (t) => requests.push(t))]);
    const copied = await db.migrationShard.aggregate({ where: { migrationId }, _sum: { copiedObjects: true } });
    expect(copied._sum.copiedObjects).toBe(count);
    // Every write (at least one request per object) went through the account's limiter.
    expect(requests.length).toBeGreaterThanOrEqual(count);
    requests.sort((x, y) => x - y);
    const span = (requests.at(-1)! - requests[0]!) / 1000;
    const achieved = requests.length / span;
    // The bucket's burst is rate/10 (4) plus a lease (2) per worker: beyond that, the rate is the rate.
    expect(achieved, `achieved ${achieved.toFixed(1)} requests/s of ${rate}/s (${requests.length} in ${span.toFixed(2)} s; copy ${seconds.toFixed(2)} s)`).toBeLessThanOrEqual(rate * 1.15 + 8 / span);
    expect(achieved).toBeGreaterThanOrEqual(rate * 0.7);
    await azure.close();
  }, 90_000);
});

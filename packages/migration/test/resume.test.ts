// Crashes and races: a shard aborted mid-way and re-run, two runs of one shard at once, a run that lost its
// lease, objects written by a run that died before recording them, and a planner interrupted mid-listing.
import path from "node:path";
import { type ObjectStore } from "@crossdock/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHARD_LEASE_MS } from "../src/advance.ts";
import { planPass } from "../src/plan.ts";
import { runShard } from "../src/shard.ts";
import { bytes, createAccount, createMigration, db, expectSameObjects, ledger, mapConcurrent, migrationRow, passCounters, sleep, slowStore, TestEngine, waitFor, localPair, removeLocalPair } from "./helpers.ts";

let root: string;
let org: string;
/** Two directories, so copies stream (and get verified) instead of being server-side copies. */
let store: ObjectStore;
let destStore: ObjectStore;
let counter = 0;

beforeAll(async () => {
  ({ root, src: store, dst: destStore, org } = await localPair("resume tests"));
});

afterAll(() => removeLocalPair(root));

async function setup(count: number, options: Record<string, unknown> = {}) {
  const n = ++counter;
  const src = `src-${n}`;
  const dst = `dst-${n}`;
  await store.createBucket(src);
  await destStore.createBucket(dst);
  let total = 0;
  await mapConcurrent(Array.from({ length: count }, (_, i) => i), 32, async (i) => {
    const body = bytes(200 + (i % 300));
    total += body.length;
    await store.writeObject(src, `k/${String(i).padStart(5, "0")}`, body);
  });
  const sourceConfig = { provider: "local" as const, rootDir: path.join(root, "a") };
  const destConfig = { provider: "local" as const, rootDir: path.join(root, "b") };
  const source = await createAccount(org, sourceConfig);
  const dest = await createAccount(org, destConfig);
  const engine = new TestEngine().account(source, sourceConfig).account(dest, destConfig);
  const id = await createMigration({ organizationId: org, source, sourceBucket: src, dest, destBucket: dst, options: { shard: { maxObjects: 1000 }, concurrency: 4, ...options } });
  return { engine, id, total, src: { store, bucket: src }, dst: { store: destStore, bucket: dst } };
}

async function onlyShard(engine: TestEngine, id: string): Promise<string> {
  engine.holdPlans = true;
  await planPass(engine, id);
  const jobs = engine.queue.splice(0).filter((j) => j.kind === "shard");
  expect(jobs.length).toBeGreaterThanOrEqual(1);
  const job = jobs[0]!;
  if (job.kind !== "shard") throw new Error("unreachable");
  return job.shard.id;
}

describe("shard crash and resume", () => {
  it("a shard aborted mid-way, re-run twice at once, ends with every object copied and billed exactly once", async () => {
    const { engine, id, total, src, dst } = await setup(300);
    const shardId = await onlyShard(engine, id);
    engine.wrap = (s) => slowStore(s, () => sleep(5));
    const abort = new AbortController();
    const first = runShard(engine, shardId, { signal: abort.signal, heartbeatMs: 50 });
    await waitFor("a third of the objects", async () => (await db.migrationObject.count({ where: { migrationId: id } })) >= 100);
    abort.abort();
    expect(await first).toEqual({ status: "stopped", reason: "aborted" });
    const done = await db.migrationObject.count({ where: { migrationId: id } });
    expect(done).toBeGreaterThanOrEqual(100);
    expect(done).toBeLessThan(300);
    expect((await db.migrationShard.findUniqueOrThrow({ where: { id: shardId } })).state).toBe("PENDING");

    engine.wrap = (s) => s;
    const [a, b] = await Promise.all([runShard(engine, shardId), runShard(engine, shardId)]);
    const outcomes = [a, b].map((o) => o.status).sort();
    expect(outcomes).toEqual(["done", "skipped"]);
    expect([a, b].find((o) => o.status === "skipped")).toEqual({ status: "skipped", reason: "busy" });
    // The re-run counts what the aborted run did, too.
    expect([a, b].find((o) => o.status === "done")).toMatchObject({ copiedObjects: 300, copiedBytes: total, failed: 0, unchanged: 0 });
    const shard = await db.migrationShard.findUniqueOrThrow({ where: { id: shardId } });
    expect(shard).toMatchObject({ state: "DONE", copiedObjects: 300, attempts: 2 });
    expect(Number(shard.copiedBytes)).toBe(total);
    // Running it again is a no-op.
    expect(await runShard(engine, shardId)).toMatchObject({ status: "skipped" });

    await expectSameObjects(src, dst);
    expect(await ledger(id)).toEqual({ rows: 300, bytes: total, distinctKeys: 300 });
  });

  it("a run that lost its lease stops; the run that took over finishes; nothing is billed twice", async () => {
    const { engine, id, total, src, dst } = await setup(120, { concurrency: 2 });
    const shardId = await onlyShard(engine, id);
    // Run A hangs inside a read after some progress (a stalled worker).
    let gate: (() => void) | undefined;
    const gateOpen = new Promise<void>((r) => (gate = r));
    let reads = 0;
    const stalled = new TestEngine();
    for (const [k, v] of engine.configs) stalled.configs.set(k, v);
    stalled.wrap = (s) => slowStore(s, async () => (++reads > 30 ? gateOpen : undefined));
    const runA = runShard(stalled, shardId, { heartbeatMs: 60_000 });
    let settledA: unknown;
    runA.then((v) => (settledA = v), (e) => (settledA = e));
    await waitFor("run A stalled", async () => {
      if (settledA) throw new Error(`run A ended: ${String(settledA instanceof Error ? settledA.stack : JSON.stringify(settledA))} after ${reads} reads`);
      return reads > 30 + 1;
    });
    await sleep(50);
    // Its lease expires (as if its heartbeats stopped); run B takes over and finishes.
    await db.migrationShard.update({ where: { id: shardId }, data: { updatedAt: new Date(Date.now() - SHARD_LEASE_MS - 1000) } });
    const runB = await runShard(engine, shardId);
    expect(runB).toMatchObject({ status: "done", copiedObjects: 120 });
    gate!();
    expect(await runA).toEqual({ status: "stopped", reason: "lost-lease" });
    const shard = await db.migrationShard.findUniqueOrThrow({ where: { id: shardId } });
    expect(shard).toMatchObject({ state: "DONE", copiedObjects: 120, attempts: 2 });
    await expectSameObjects(src, dst);
    expect(await ledger(id)).toEqual({ rows: 120, bytes: total, distinctKeys: 120 });
  });

  it("objects written by a run that died before recording them are recorded and billed once, not called unchanged", async () => {
    const { engine, id, total, src, dst } = await setup(50);
    const shardId = await onlyShard(engine, id);
    // The dead run: it copied ten objects after the migration started, then vanished without a record.
    for (let i = 0; i < 10; i++) {
      const key = `k/${String(i).padStart(5, "0")}`;
      const read = await store.readObject(src.bucket, key);
      await destStore.writeObject(dst.bucket, key, read.body);
    }
    // ...and left the shard RUNNING with a stale heartbeat.
    await db.migrationShard.update({ where: { id: shardId }, data: { state: "RUNNING", attempts: 1, updatedAt: new Date(Date.now() - SHARD_LEASE_MS - 1000) } });
    expect(await runShard(engine, shardId)).toMatchObject({ status: "done", copiedObjects: 50, unchanged: 0 });
    expect(await ledger(id)).toEqual({ rows: 50, bytes: total, distinctKeys: 50 });
    await expectSameObjects(src, dst);
    // The whole migration then completes its sync pass with nothing to do.
    engine.release();
    await engine.drain();
    expect((await migrationRow(id)).state).toBe("READY_FOR_CUTOVER");
    expect(await passCounters(id, 1)).toMatchObject({ copied: 0, unchanged: 50 });
    expect((await ledger(id)).rows).toBe(50);
  });

  it("a shard-level failure (source unreachable) leaves the shard FAILED and retryable", async () => {
    const { engine, id, src, dst } = await setup(20);
    const shardId = await onlyShard(engine, id);
    const broken = new TestEngine();
    for (const [k] of engine.configs) broken.configs.set(k, { provider: "s3", endpoint: "http://127.0.0.1:9", accessKeyId: "x", secretAccessKey: "y", forcePathStyle: true });
    await expect(runShard(broken, shardId)).rejects.toMatchObject({ kind: "Transient" });
    const failed = await db.migrationShard.findUniqueOrThrow({ where: { id: shardId } });
    expect(failed.state).toBe("FAILED");
    expect(failed.lastError).toMatch(/Cannot reach|connection refused/i);
    expect((await migrationRow(id)).state).toBe("COPYING");
    expect(await runShard(engine, shardId)).toMatchObject({ status: "done", copiedObjects: 20 });
    await expectSameObjects(src, dst);
  });
});

describe("planner resume", () => {
  it("an interrupted planner resumes from its cursor: no duplicate shards, the same totals as an uninterrupted plan", async () => {
    const { engine, id, total } = await setup(1000, { shard: { maxObjects: 50 } });
    engine.holdPlans = true;
    const abort = new AbortController();
    let cut = 0;
    const enqueue = engine.enqueueShard.bind(engine);
    engine.enqueueShard = async (shard) => {
      await enqueue(shard);
      if (++cut === 7) abort.abort();
    };
    expect(await planPass(engine, id, { signal: abort.signal, pageSize: 120 })).toEqual({ status: "stopped", reason: "aborted" });
    let m = await migrationRow(id);
    expect(m.planComplete).toBe(false);
    expect(m.plannedShards).toBe(7);
    expect(m.planCursor).toBe("k/00349");

    // Resume, with a second planner racing the first: the plan position is compare-and-set.
    const [r1, r2] = await Promise.all([planPass(engine, id, { pageSize: 120 }), planPass(engine, id, { pageSize: 70 })]);
    expect([r1.status, r2.status]).toContain("planned");
    m = await migrationRow(id);
    expect(m.planComplete).toBe(true);
    expect(Number(m.plannedObjects)).toBe(1000);
    expect(Number(m.plannedBytes)).toBe(total);
    const shards = await db.migrationShard.findMany({ where: { migrationId: id, pass: 0 }, orderBy: { index: "asc" } });
    // 20 full shards and the open-ended last one.
    expect(shards.map((s) => s.index)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect(shards.reduce((s, x) => s + x.plannedObjects, 0)).toBe(1000);
    for (let i = 0; i < shards.length; i++) {
      expect(shards[i]!.startAfter).toBe(i === 0 ? null : shards[i - 1]!.endKey);
      expect(shards[i]!.endKey).toBe(i === 20 ? null : `k/${String(i * 50 + 49).padStart(5, "0")}`);
    }
    // Same boundaries as a plan that was never interrupted.
    const fresh = await setup(0, { shard: { maxObjects: 50 } });
    const clone = await createMigration({
      organizationId: org,
      source: (await db.migration.findUniqueOrThrow({ where: { id }, include: { sourceAccount: true } })).sourceAccount,
      sourceBucket: m.sourceBucket,
      dest: (await db.migration.findUniqueOrThrow({ where: { id }, include: { destAccount: true } })).destAccount,
      destBucket: m.destBucket,
      options: { shard: { maxObjects: 50 } },
    });
    fresh.engine.holdPlans = true;
    for (const [k, v] of engine.configs) fresh.engine.configs.set(k, v);
    await planPass(fresh.engine, clone);
    const freshShards = await db.migrationShard.findMany({ where: { migrationId: clone }, orderBy: { index: "asc" } });
    expect(freshShards.map((s) => [s.startAfter, s.endKey, s.plannedObjects])).toEqual(shards.map((s) => [s.startAfter, s.endKey, s.plannedObjects]));

    // Everything planned gets copied exactly once.
    engine.enqueueShard = enqueue;
    engine.queue.splice(0);
    for (const s of shards) await engine.enqueueShard({ id: s.id, migrationId: id, organizationId: org });
    await engine.drain(4);
    expect(await passCounters(id, 0)).toMatchObject({ copied: 1000, copiedBytes: total });
    expect(await ledger(id)).toEqual({ rows: 1000, bytes: total, distinctKeys: 1000 });
  });
});

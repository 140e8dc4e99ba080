// The state machine over real passes: copy, catch-up sync after source changes, cutover.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startAzurite, type RunningEmulator } from "@crossdock/providers/emulators";
import { openObjectStore, type ObjectStore } from "@crossdock/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceMigration, cancelMigration, pauseMigration, requestCutover, resumeMigration, MigrationCommandError } from "../src/advance.ts";
import { migrationProgress } from "../src/progress.ts";
import { runShard } from "../src/shard.ts";
import { planPass } from "../src/plan.ts";
import { bytes, createAccount, createMigration, createOrganization, db, expectSameObjects, FAST_RETRY, ledger, listAll, mapConcurrent, migrationRow, passCounters, sleep, slowStore, TestEngine, waitFor } from "./helpers.ts";

let azurite: RunningEmulator;
let root: string;
let org: string;
let azure: ObjectStore;
let local: ObjectStore;

beforeAll(async () => {
  [azurite, root] = await Promise.all([startAzurite(), mkdtemp(path.join(os.tmpdir(), "crossdock-migration-sync-"))]);
  org = await createOrganization("sync tests");
  azure = openObjectStore({ ...azurite.config, retry: FAST_RETRY } as never);
  local = openObjectStore({ provider: "local", rootDir: root });
});

afterAll(async () => {
  await azure?.close();
  await azurite?.stop();
  await rm(root, { recursive: true, force: true });
  await db.$disconnect();
});

async function setup(label: string, count: number, options: Record<string, unknown> = {}) {
  const container = `sync-${label}-${Date.now().toString(36)}`;
  const destBucket = `dest-${label}`;
  await azure.createBucket(container);
  await local.createBucket(destBucket);
  await mapConcurrent(Array.from({ length: count }, (_, i) => i), 16, (i) => azure.writeObject(container, `data/item-${String(i).padStart(4, "0")}.bin`, bytes(100 + (i % 50))));
  const source = await createAccount(org, azurite.config);
  const dest = await createAccount(org, { provider: "local", rootDir: root });
  const engine = new TestEngine().account(source, azurite.config).account(dest, { provider: "local", rootDir: root });
  const id = await createMigration({ organizationId: org, source, sourceBucket: container, sourcePrefix: "data/", dest, destBucket, destPrefix: "copy/", options: { shard: { maxObjects: 25 }, ...options } });
  return { container, destBucket, engine, id, source: { store: azure, bucket: container, prefix: "data/" }, destination: { store: local, bucket: destBucket, prefix: "copy/" } };
}

describe("passes, sync and cutover", () => {
  it("copies, syncs exactly the changes (3 changed, 2 added, 1 deleted), then waits for and completes on cutover", async () => {
    const { container, engine, id, source, destination } = await setup("main", 120, { deleteExtraneous: true });
    // Hold the pass-1 planner so the source can change between pass 0 and pass 1.
    engine.holdPlans = false;
    await engine.enqueuePlan(id);
    engine.holdPlans = true;
    await engine.drain();
    let m = await migrationRow(id);
    expect(m.state).toBe("SYNCING");
    expect(m.pass).toBe(1);
    expect(await passCounters(id, 0)).toMatchObject({ planned: 120, copied: 120, unchanged: 0, failed: 0, deleted: 0 });
    await expectSameObjects(source, destination);

    // Change 3 (one with a new size, two with the same size), add 2, delete 1.
    await azure.writeObject(container, "data/item-0003.bin", bytes(999));
    await azure.writeObject(container, "data/item-0040.bin", bytes(140));
    await azure.writeObject(container, "data/item-0077.bin", bytes(127));
    await azure.writeObject(container, "data/new-a.bin", bytes(10));
    await azure.writeObject(container, "data/zz-new-b.bin", bytes(0));
    await azure.deleteObject(container, "data/item-0100.bin");
    // Outside the source prefix: never considered.
    await azure.writeObject(container, "elsewhere.bin", bytes(5));

    engine.release();
    await engine.drain();
    expect(await passCounters(id, 1)).toMatchObject({ planned: 121, copied: 5, unchanged: 116, deleted: 1, failed: 0 });
    // Pass 1 changed things, so pass 2 ran and found nothing left to do.
    expect(await passCounters(id, 2)).toMatchObject({ planned: 121, copied: 0, unchanged: 121, deleted: 0 });
    m = await migrationRow(id);
    expect(m).toMatchObject({ state: "READY_FOR_CUTOVER", pass: 2 });
    await expectSameObjects(source, destination);
    const deleted = await db.migrationObject.findUniqueOrThrow({ where: { migrationId_key: { migrationId: id, key: "data/item-0100.bin" } } });
    expect(deleted).toMatchObject({ result: "DELETED", pass: 1 });

    // READY_FOR_CUTOVER is idle: advancing does nothing.
    expect(await advanceMigration(engine, id)).toMatchObject({ action: "none", reason: "idle" });

    await azure.writeObject(container, "data/last-minute.bin", bytes(33));
    expect(await requestCutover(engine, org, id)).toMatchObject({ action: "pass-started", pass: 3, state: "VERIFYING" });
    await engine.drain();
    m = await migrationRow(id);
    expect(m.state).toBe("COMPLETED");
    expect(m.completedAt).toBeInstanceOf(Date);
    expect(await passCounters(id, 3)).toMatchObject({ copied: 1, unchanged: 121 });
    await expectSameObjects(source, destination);

    // Ledger: one row per copied object version, bytes = bytes copied.
    const l = await ledger(id);
    expect(l.rows).toBe(120 + 5 + 1);
    const copiedBytes = (await Promise.all([0, 1, 2, 3].map((p) => passCounters(id, p)))).reduce((s, c) => s + c.copiedBytes, 0);
    expect(l.bytes).toBe(copiedBytes);

    const progress = await migrationProgress(db, org, id);
    expect(progress.state).toBe("COMPLETED");
    expect(progress.passes.map((p) => p.copiedObjects)).toEqual([120, 5, 0, 1]);
    expect(progress.totals.deleted).toBe(1);
    expect(progress.etaSeconds).toBeNull();
    await expect(requestCutover(engine, org, id)).rejects.toBeInstanceOf(MigrationCommandError);
  });

  it("a cutover requested during a pass waits for one full pass that starts after the request", async () => {
    const { engine, id, source, destination } = await setup("mid", 30);
    await planPass(engine, id);
    // Pass 0 is under way (shards queued, none run) when cutover is requested.
    expect(await requestCutover(engine, org, id)).toMatchObject({ action: "none" });
    await engine.drain();
    const m = await migrationRow(id);
    expect(m).toMatchObject({ state: "COMPLETED", pass: 1, cutoverRequested: true });
    expect(await passCounters(id, 1)).toMatchObject({ copied: 0, unchanged: 30 });
    await expectSameObjects(source, destination);
  });

  it("only one of many concurrent advance calls starts the next pass", async () => {
    const { engine, id } = await setup("race", 10);
    await engine.enqueuePlan(id);
    engine.holdPlans = false;
    // Run pass 0 by hand so nothing else advances it.
    await planPass(engine, id);
    const shards = engine.queue.splice(0);
    for (const job of shards) if (job.kind === "shard") await runShard(engine, job.shard.id);
    // runShard already advanced to pass 1; ten more callers change nothing.
    const before = await migrationRow(id);
    expect(before.pass).toBe(1);
    engine.queue.splice(0);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => advanceMigration(engine, id)));
    expect(outcomes.filter((o) => o.action === "pass-started")).toHaveLength(0);
    expect((await migrationRow(id)).pass).toBe(1);
    // Finish pass 1 with ten concurrent advancers racing the last shard's own advance.
    await planPass(engine, id);
    const jobs = engine.queue.splice(0);
    await Promise.all(jobs.map((job) => (job.kind === "shard" ? runShard(engine, job.shard.id) : Promise.resolve())));
    const results = await Promise.all(Array.from({ length: 10 }, () => advanceMigration(engine, id)));
    expect(results.filter((o) => o.action !== "none")).toHaveLength(0);
    expect((await migrationRow(id)).state).toBe("READY_FOR_CUTOVER");
  });

  it("pauses a running shard (back to PENDING), resumes it, and cancels", async () => {
    const { engine, id, source, destination } = await setup("pause", 80, { concurrency: 2 });
    engine.wrap = (store) => slowStore(store, () => sleep(15));
    engine.shardOptions = { heartbeatMs: 20 };
    await planPass(engine, id);
    const first = engine.queue.find((j) => j.kind === "shard")!;
    if (first.kind !== "shard") throw new Error("no shard");
    const running = runShard(engine, first.shard.id, engine.shardOptions);
    await waitFor("some objects copied", async () => (await db.migrationObject.count({ where: { migrationId: id } })) >= 5);
    // Mid-copy, with the plan complete and bytes flowing: an ETA exists.
    const during = await migrationProgress(db, org, id);
    expect(during).toMatchObject({ state: "COPYING", planComplete: true });
    expect(during.etaSeconds).toBeGreaterThan(0);
    expect(during.throughput.bytesPerSec).toBeGreaterThan(0);
    expect(during.shardsShown.some((s) => s.state === "RUNNING")).toBe(true);
    await pauseMigration(engine, org, id);
    expect(await running).toEqual({ status: "stopped", reason: "paused" });
    expect((await db.migrationShard.findUniqueOrThrow({ where: { id: first.shard.id } })).state).toBe("PENDING");
    // Paused: queued shards refuse to start.
    expect(await runShard(engine, first.shard.id)).toEqual({ status: "skipped", reason: "paused" });

    engine.queue.splice(0);
    await resumeMigration(engine, org, id);
    expect(engine.queue.filter((j) => j.kind === "shard").length).toBeGreaterThanOrEqual(4);
    engine.holdPlans = true; // stop after pass 0
    await engine.drain();
    expect(await passCounters(id, 0)).toMatchObject({ copied: 80, failed: 0 });
    await expectSameObjects(source, destination);
    expect((await ledger(id)).rows).toBe(80);

    await cancelMigration(engine, org, id);
    expect((await migrationRow(id)).state).toBe("CANCELLED");
    engine.release();
    await engine.drain();
    expect((await migrationRow(id)).state).toBe("CANCELLED");
    await expect(resumeMigration(engine, org, id)).rejects.toThrow(/cancelled/);
    // Another tenant cannot touch it.
    const other = await createOrganization("other");
    await expect(pauseMigration(engine, other, id)).rejects.toMatchObject({ kind: "NotFound" });
    expect((await listAll(local, destination.bucket, "copy/")).length).toBe(80);
  });
});

import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@crossdock/db";
import { createBillingQueue, createMigrationQueue, createRedis, enqueueInventoryScan, migrationEnqueuers } from "@crossdock/jobs";
import { invoiceFor, monthStart } from "@crossdock/billing";
import { serializeMigrationOptions } from "@crossdock/migration";
import { openObjectStore, type ObjectStore } from "@crossdock/providers";
import { localRoot } from "@crossdock/storage";

// Real worker processes, SIGKILLed three times while they migrate a few thousand objects.
const OBJECTS = 2_500;
const env = { ...process.env, WORKER_LOCK_MS: "2000", MIGRATION_RECOVER_MS: "2000", MIGRATION_SHARD_CONCURRENCY: "3", MIGRATION_SHARD_LEASE_MS: "6000" };
const db = createDb(process.env.DATABASE_URL!);
const redis = createRedis(process.env.REDIS_URL!);
const queue = createMigrationQueue(redis, process.env.REDIS_PREFIX!);
const billingQueue = createBillingQueue(redis, process.env.REDIS_PREFIX!);
const workers: ChildProcess[] = [];

function startWorker() {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: path.join(import.meta.dirname, ".."), env, stdio: "ignore" });
  workers.push(child);
  return child;
}
const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function listAll(store: ObjectStore, bucket: string, prefix = "") {
  const out = new Map<string, number>();
  for await (const page of store.listObjects(bucket, { prefix })) for (const o of page.objects) out.set(o.key.slice(prefix.length), o.size);
  return out;
}

let organizationId: string;
let source: ObjectStore;
let destination: ObjectStore;
let sourceId: string;
let destId: string;
let sourceBytes = 0;

beforeAll(async () => {
  organizationId = (await db.organization.create({ data: { name: "Crash test" } })).id;
  [sourceId, destId] = [randomUUID(), randomUUID()];
  for (const id of [sourceId, destId]) {
    await db.storageAccount.create({ data: { id, organizationId, name: id, provider: "local", settings: {} } });
  }
  source = openObjectStore({ provider: "local", rootDir: localRoot(organizationId, sourceId) });
  destination = openObjectStore({ provider: "local", rootDir: localRoot(organizationId, destId) });
  await source.createBucket("src");
  await destination.createBucket("dst");
  const keys = Array.from({ length: OBJECTS }, (_, i) => `batch-${String(i % 10)}/object ${String(i).padStart(5, "0")}.bin`);
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(
      keys.slice(i, i + 50).map((key, j) => {
        const body = Buffer.alloc(1_000 + ((i + j) % 7) * 613, key);
        sourceBytes += body.length;
        return source.writeObject("src", key, body);
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
  await queue.close();
  await billingQueue.close();
  redis.disconnect();
  await db.$disconnect();
});

describe("migration under worker crashes", () => {
  it("completes with every object present and correct, billed exactly once, after three SIGKILLs", async () => {
    const migration = await db.migration.create({
      data: {
        organizationId, name: "crash", sourceAccountId: sourceId, sourceBucket: "src", destAccountId: destId, destBucket: "dst",
        options: serializeMigrationOptions({ concurrency: 4, shard: { maxObjects: 100 }, bandwidthLimitBytesPerSec: 100 * 1024 }) as never,
        state: "PLANNING", startedAt: new Date(),
      },
    });
    let running = [startWorker(), startWorker()];
    await migrationEnqueuers(queue).enqueuePlan(migration.id);

    for (let kill = 0; kill < 3; kill++) {
      // Kill only while both workers are copying (each runs at most 3 shards), so the victim holds shards.
      const busyBy = Date.now() + 60_000;
      while ((await db.migrationShard.count({ where: { migrationId: migration.id, state: "RUNNING" } })) < 4 && Date.now() < busyBy) await sleep(100);
      await sleep(500);
      const victim = running[kill % 2]!;
      victim.kill("SIGKILL");
      await exited(victim);
      running[kill % 2] = startWorker();
    }

    const deadline = Date.now() + 150_000;
    let state = "";
    while (Date.now() < deadline) {
      state = (await db.migration.findUniqueOrThrow({ where: { id: migration.id } })).state;
      if (state === "READY_FOR_CUTOVER" || state === "FAILED") break;
      await sleep(500);
    }
    expect(state).toBe("READY_FOR_CUTOVER");

    const [src, dst] = await Promise.all([listAll(source, "src"), listAll(destination, "dst")]);
    expect(dst.size).toBe(OBJECTS);
    expect([...dst.entries()]).toEqual([...src.entries()]);
    for (const key of ["batch-0/object 00000.bin", "batch-7/object 02497.bin"]) {
      const digest = async (store: ObjectStore, bucket: string) => {
        const hash = createHash("sha256");
        for await (const chunk of (await store.readObject(bucket, key)).body) hash.update(chunk as Buffer);
        return hash.digest("hex");
      };
      expect(await digest(destination, "dst")).toBe(await digest(source, "src"));
    }
    const ledger = await db.usageRecord.aggregate({ where: { migrationId: migration.id }, _sum: { bytes: true }, _count: true });
    expect(ledger._count).toBe(OBJECTS);
    expect(Number(ledger._sum.bytes)).toBe(sourceBytes);
    const attempts = await db.migrationShard.aggregate({ where: { migrationId: migration.id, pass: 0 }, _sum: { attempts: true }, _count: true });
    // Some shard was taken over after a kill: more attempts than shards.
    expect(attempts._sum.attempts!).toBeGreaterThan(attempts._count);

    // The daily rollup analytics and invoices read agrees with the ledger, and the month's invoice bills the copy once.
    const rolled = await db.usageDaily.aggregate({ where: { organizationId, migrationId: migration.id }, _sum: { bytes: true, objects: true } });
    expect([Number(rolled._sum.bytes), Number(rolled._sum.objects)]).toEqual([sourceBytes, OBJECTS]);
    const invoice = await invoiceFor(db, organizationId, monthStart(new Date()));
    expect(invoice.lines.filter((l) => l.kind === "USAGE").map((l) => [l.migrationId, Number(l.bytes)])).toEqual([[migration.id, sourceBytes]]);

    // A worker scans the destination's inventory on request: it holds exactly what was copied.
    const dest = await db.storageAccount.findUniqueOrThrow({ where: { id: destId } });
    // (The workers' scheduled sweep already scanned it once, empty, when they started.)
    const requested = new Date();
    await enqueueInventoryScan(billingQueue, dest);
    const scanBy = Date.now() + 60_000;
    let snapshot = null;
    while (!snapshot && Date.now() < scanBy) {
      snapshot = await db.inventorySnapshot.findFirst({ where: { storageAccountId: destId, bucket: "dst", status: "COMPLETE", startedAt: { gte: requested } } });
      if (!snapshot) await sleep(300);
    }
    expect(snapshot).toMatchObject({ objects: BigInt(OBJECTS), bytes: BigInt(sourceBytes) });
  }, 300_000);
});

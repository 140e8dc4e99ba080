import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type StorageAccount } from "@crossdock/db";
import { openObjectStore, type ObjectStore } from "@crossdock/providers";
import { startAzurite, startS3rver, stopEmulators, type RunningEmulator } from "@crossdock/providers/emulators";
import { InventoryTally, compactInventoryHistory, runInventoryScan, scanAccount, startInventoryScan } from "../src/index.ts";

// Inventories against real emulators: what a scan counts is what the store holds, after adds and deletes, and a
// scan cut short resumes from its cursor to the same totals.
const db = createDb(process.env.DATABASE_URL!);
let emulators: RunningEmulator[] = [];
let org: string;

async function truth(store: ObjectStore, bucket: string) {
  let objects = 0;
  let bytes = 0;
  for await (const page of store.listObjects(bucket)) for (const o of page.objects) (objects++, (bytes += o.size));
  return { objects, bytes };
}

async function account(provider: "s3" | "azure", name: string): Promise<StorageAccount> {
  return db.storageAccount.create({ data: { id: randomUUID(), organizationId: org, name, provider, settings: { region: "eu-west-1" } } });
}

beforeAll(async () => {
  emulators = await Promise.all([startS3rver(), startAzurite()]);
  org = (await db.organization.create({ data: { name: "Inventory test" } })).id;
}, 120_000);

afterAll(async () => {
  await stopEmulators(emulators);
  await db.$disconnect();
});

describe("InventoryTally", () => {
  it("finds the largest prefixes of a sorted listing in flat memory", () => {
    const t = new InventoryTally();
    for (const [key, size] of [["a.txt", 5], ["clinical/2024/x.csv", 10], ["clinical/2024/y.csv", 20], ["clinical/2025/z.csv", 1], ["scans/p1.png", 100], ["z", 1]] as const) {
      t.add({ key, size, storageClass: key.startsWith("scans") ? "COOL" : undefined });
    }
    const done = t.finish();
    expect(done).toMatchObject({ objects: 6, bytes: 137, byClass: { "": 37, COOL: 100 } });
    expect(done.largestPrefixes).toEqual([
      { prefix: "scans/", objects: 1, bytes: 100 },
      { prefix: "clinical/", objects: 3, bytes: 31 },
      { prefix: "clinical/2024/", objects: 2, bytes: 30 },
      { prefix: "clinical/2025/", objects: 1, bytes: 1 },
    ]);
  });
});

describe.each([["s3", 0], ["azure", 1]] as const)("inventory of the %s emulator", (provider, index) => {
  let store: ObjectStore;
  let acct: StorageAccount;
  const bucket = `inv-${provider}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    store = openObjectStore(emulators[index]!.config);
    await store.createBucket(bucket);
    acct = await account(provider, `${provider} account`);
    await Promise.all(Array.from({ length: 230 }, (_, i) => store.writeObject(bucket, `data/part-${String(i).padStart(4, "0")}.bin`, Buffer.alloc(100 + i, 1))));
    await store.writeObject(bucket, "README.txt", "hello");
  }, 120_000);
  afterAll(() => store.close());

  it("counts what the emulator holds, before and after adding and deleting objects", async () => {
    const first = await runInventoryScan(db, org, (await startInventoryScan(db, acct, bucket)).id, store, { pageSize: 50 });
    expect(first).toMatchObject({ status: "complete", ...(await truth(store, bucket)) });
    expect(first).toMatchObject({ objects: 231, bytes: 230 * 100 + (229 * 230) / 2 + 5 });

    await store.deleteObjects(bucket, Array.from({ length: 30 }, (_, i) => `data/part-${String(i).padStart(4, "0")}.bin`));
    await store.writeObject(bucket, "new/big.bin", Buffer.alloc(10_000, 2));
    const second = await runInventoryScan(db, org, (await startInventoryScan(db, acct, bucket)).id, store, { pageSize: 50 });
    const held = await truth(store, bucket);
    expect(held.objects).toBe(202);
    expect(second).toMatchObject({ status: "complete", ...held });
    const snap = await db.inventorySnapshot.findUniqueOrThrow({ where: { id: second.status === "complete" ? second.snapshotId : "" } });
    expect(snap).toMatchObject({ status: "COMPLETE", objects: BigInt(held.objects), bytes: BigInt(held.bytes), provider, region: "eu-west-1", cursor: null });
    expect((snap.largestPrefixes as { prefix: string }[])[0]!.prefix).toBe("data/");
    // History: both scans are kept.
    expect(await db.inventorySnapshot.count({ where: { storageAccountId: acct.id, bucket, status: "COMPLETE" } })).toBe(2);
  });

  it("resumes a scan cut short from its cursor, to the same totals", async () => {
    const snap = await startInventoryScan(db, acct, bucket);
    const crash = new Error("worker killed");
    await expect(
      runInventoryScan(db, org, snap.id, store, { pageSize: 20, checkpointPages: 2, onPage: (n) => { if (n >= 100) throw crash; } }),
    ).rejects.toBe(crash);
    const interrupted = await db.inventorySnapshot.findUniqueOrThrow({ where: { id: snap.id } });
    expect(interrupted.status).toBe("SCANNING");
    expect(interrupted.cursor).not.toBeNull();
    expect(Number(interrupted.objects)).toBeGreaterThanOrEqual(80);
    // The next run picks the same snapshot up and lists only what comes after the cursor.
    const resumedSnap = await startInventoryScan(db, acct, bucket);
    expect(resumedSnap.id).toBe(snap.id);
    let seen = 0;
    const resumed = await runInventoryScan(db, org, snap.id, store, { pageSize: 20, onPage: (n) => void (seen = n) });
    expect(resumed).toMatchObject({ status: "complete", ...(await truth(store, bucket)) });
    expect(seen).toBe(202);
    expect((await db.inventorySnapshot.findUniqueOrThrow({ where: { id: snap.id } })).pages).toBeGreaterThan(10);
  });
});

describe("history compaction", () => {
  it("keeps every snapshot of the last two days and the last of each older day", async () => {
    const acct = await account("s3", "compacted");
    const now = new Date("2026-11-22T12:00:00Z");
    const at = ["2026-11-10T01:00:00Z", "2026-11-10T07:00:00Z", "2026-11-10T19:00:00Z", "2026-11-11T03:00:00Z", "2026-11-21T13:00:00Z", "2026-11-21T19:00:00Z", "2026-11-22T01:00:00Z"];
    for (const [i, t] of at.entries()) {
      await db.inventorySnapshot.create({ data: { organizationId: org, storageAccountId: acct.id, bucket: "b", provider: "s3", status: "COMPLETE", objects: BigInt(i), bytes: BigInt(i), startedAt: new Date(t), completedAt: new Date(t) } });
    }
    await compactInventoryHistory(db, now);
    const left = await db.inventorySnapshot.findMany({ where: { storageAccountId: acct.id }, orderBy: { completedAt: "asc" } });
    expect(left.map((s) => s.completedAt!.toISOString().slice(0, 13))).toEqual(["2026-11-10T19", "2026-11-11T03", "2026-11-21T13", "2026-11-21T19", "2026-11-22T01"]);
  });
});

describe("pacing", () => {
  it("makes at most maxPagesPerSecond listing requests", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "crossdock-inv-"));
    const store = openObjectStore({ provider: "local", rootDir: root });
    await store.createBucket("paced");
    await Promise.all(Array.from({ length: 60 }, (_, i) => store.writeObject("paced", `k${String(i).padStart(3, "0")}`, "x")));
    const acct = await db.storageAccount.create({ data: { id: randomUUID(), organizationId: org, name: "paced disk", provider: "local", settings: {} } });
    const started = Date.now();
    const outcome = await runInventoryScan(db, org, (await startInventoryScan(db, acct, "paced")).id, store, { pageSize: 10, maxPagesPerSecond: 10 });
    // 6 pages (and the empty end of the listing) at 10 per second: at least 0.5 s between the first and the last.
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(outcome).toMatchObject({ status: "complete", objects: 60, bytes: 60 });
    await rm(root, { recursive: true, force: true });
  });
});

describe("scanAccount", () => {
  it("scans every bucket of an account and marks a bucket that vanished mid-way as failed", async () => {
    const store = openObjectStore(emulators[0]!.config);
    const acct = await account("s3", "whole account");
    const buckets = await store.listBuckets();
    const outcomes = await scanAccount(db, acct, store, { maxPagesPerSecond: 50 });
    expect(outcomes).toHaveLength(buckets.length);
    expect(outcomes.every((o) => o.status === "complete")).toBe(true);
    const gone = await startInventoryScan(db, acct, "no-such-bucket-here");
    expect(await runInventoryScan(db, org, gone.id, store)).toMatchObject({ status: "failed" });
    await store.close();
  });
});

// Test harness: a real database, emulator-backed accounts, and an in-memory queue standing in for BullMQ.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { createDb, type StorageAccount } from "@crossdock/db";
import { openObjectStore, type ObjectStore, type ObjectStoreConfigInput } from "@crossdock/providers";
import { expect } from "vitest";
import type { EngineDeps, ShardJob } from "../src/deps.ts";
import { serializeMigrationOptions, type MigrationOptionsInput } from "../src/options.ts";
import { planPass } from "../src/plan.ts";
import { runShard, type RunShardOptions } from "../src/shard.ts";

export const db = createDb(process.env.DATABASE_URL!, { max: 16 });

/** Two local-disk stores (copies between them stream and are verified, never server-side) and an organization. */
export async function localPair(label: string): Promise<{ root: string; src: ObjectStore; dst: ObjectStore; org: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), `crossdock-migration-${label.replaceAll(" ", "-")}-`));
  return {
    root,
    src: openObjectStore({ provider: "local", rootDir: path.join(root, "a") }),
    dst: openObjectStore({ provider: "local", rootDir: path.join(root, "b") }),
    org: await createOrganization(label),
  };
}

/** The afterAll of a file that used localPair. */
export async function removeLocalPair(root: string) {
  await rm(root, { recursive: true, force: true });
  await db.$disconnect();
}

export const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200 };

export async function createOrganization(name = "Test org"): Promise<string> {
  return (await db.organization.create({ data: { name } })).id;
}

export async function createAccount(organizationId: string, config: ObjectStoreConfigInput, name = `acct-${randomUUID().slice(0, 8)}`): Promise<StorageAccount> {
  const region = "region" in config ? config.region : undefined;
  return db.storageAccount.create({ data: { id: randomUUID(), organizationId, name, provider: config.provider, settings: region ? { region } : {} } });
}

export interface MigrationSpec {
  organizationId: string;
  source: StorageAccount;
  sourceBucket: string;
  sourcePrefix?: string;
  dest: StorageAccount;
  destBucket: string;
  destPrefix?: string;
  options?: MigrationOptionsInput;
}

export async function createMigration(spec: MigrationSpec): Promise<string> {
  const row = await db.migration.create({
    data: {
      organizationId: spec.organizationId,
      name: `migration ${randomUUID().slice(0, 6)}`,
      sourceAccountId: spec.source.id,
      sourceBucket: spec.sourceBucket,
      sourcePrefix: spec.sourcePrefix ?? "",
      destAccountId: spec.dest.id,
      destBucket: spec.destBucket,
      destPrefix: spec.destPrefix ?? "",
      options: serializeMigrationOptions(spec.options ?? {}) as object,
    },
  });
  return row.id;
}

type Job = { kind: "plan"; migrationId: string } | { kind: "shard"; shard: ShardJob };

/** EngineDeps over an in-memory FIFO queue; `drain` plays the worker, running jobs concurrently. */
export class TestEngine implements EngineDeps {
  readonly db = db;
  readonly configs = new Map<string, ObjectStoreConfigInput>();
  readonly queue: Job[] = [];
  /** While set, planner jobs are held back (to change the source between passes). */
  holdPlans = false;
  readonly held: string[] = [];
  shardOptions: RunShardOptions = { heartbeatMs: 200 };
  /** Errors thrown by jobs (a worker would mark the job failed and retry it later). */
  readonly errors: unknown[] = [];
  /** Wraps every store the engine opens (slow or gated stores for crash tests). */
  wrap: (store: ObjectStore) => ObjectStore = (s) => s;

  account(account: StorageAccount, config: ObjectStoreConfigInput): this {
    this.configs.set(account.id, config);
    return this;
  }

  openStore(account: StorageAccount): ObjectStore {
    const config = this.configs.get(account.id);
    if (!config) throw new Error(`no test config for account ${account.id}`);
    return this.wrap(openObjectStore({ ...config, retry: FAST_RETRY } as ObjectStoreConfigInput));
  }

  async enqueuePlan(migrationId: string): Promise<void> {
    if (this.holdPlans) this.held.push(migrationId);
    else this.queue.push({ kind: "plan", migrationId });
  }

  async enqueueShard(shard: ShardJob): Promise<void> {
    this.queue.push({ kind: "shard", shard });
  }

  /** Queues the migration's first planner (even while later planners are held). */
  start(migrationId: string): void {
    this.queue.push({ kind: "plan", migrationId });
  }

  release(): void {
    this.holdPlans = false;
    for (const id of this.held.splice(0)) this.queue.push({ kind: "plan", migrationId: id });
  }

  /** Runs queued jobs (and the jobs they queue) until none is left, `concurrency` at a time. */
  async drain(concurrency = 4): Promise<void> {
    const running = new Set<Promise<void>>();
    for (;;) {
      while (running.size < concurrency && this.queue.length > 0) {
        const job = this.queue.shift()!;
        const p: Promise<void> = (job.kind === "plan" ? planPass(this, job.migrationId).then(() => {}) : runShard(this, job.shard.id, this.shardOptions).then(() => {}))
          .catch((error: unknown) => {
            this.errors.push(error);
          })
          .finally(() => running.delete(p));
        running.add(p);
      }
      if (running.size === 0) return;
      await Promise.race(running);
    }
  }
}

export function md5(data: Uint8Array | string): string {
  return createHash("md5").update(data).digest("hex");
}

/** Random bytes (tests keep their MD5 to check copies). */
export function bytes(size: number): Buffer {
  return randomBytes(size);
}

export async function mapConcurrent<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export async function listAll(store: ObjectStore, bucket: string, prefix = ""): Promise<{ key: string; size: number }[]> {
  const out: { key: string; size: number }[] = [];
  for await (const page of store.listObjects(bucket, { prefix: prefix || undefined })) for (const o of page.objects) out.push({ key: o.key, size: o.size });
  return out;
}

export async function readMd5(store: ObjectStore, bucket: string, key: string): Promise<string> {
  const read = await store.readObject(bucket, key);
  const hash = createHash("md5");
  for await (const chunk of read.body as Readable) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Every key under the prefixes: same relative keys, same sizes, same bytes. */
export async function expectSameObjects(
  source: { store: ObjectStore; bucket: string; prefix?: string },
  destination: { store: ObjectStore; bucket: string; prefix?: string },
  expectedMd5?: Map<string, string>,
): Promise<number> {
  const sp = source.prefix ?? "";
  const dp = destination.prefix ?? "";
  const src = (await listAll(source.store, source.bucket, sp)).map((o) => ({ rel: o.key.slice(sp.length), size: o.size }));
  const dst = (await listAll(destination.store, destination.bucket, dp)).map((o) => ({ rel: o.key.slice(dp.length), size: o.size }));
  expect(dst).toEqual(src);
  await mapConcurrent(src, 16, async (o) => {
    const [a, b] = await Promise.all([
      expectedMd5?.get(o.rel) ?? readMd5(source.store, source.bucket, sp + o.rel),
      readMd5(destination.store, destination.bucket, dp + o.rel),
    ]);
    expect(b, `bytes of ${o.rel}`).toBe(a);
  });
  return src.length;
}

export async function ledger(migrationId: string): Promise<{ rows: number; bytes: number; distinctKeys: number }> {
  const agg = await db.usageRecord.aggregate({ where: { migrationId }, _count: { _all: true }, _sum: { bytes: true } });
  const keys = await db.usageRecord.groupBy({ by: ["objectKey"], where: { migrationId } });
  return { rows: agg._count._all, bytes: Number(agg._sum.bytes ?? 0), distinctKeys: keys.length };
}

export async function migrationRow(id: string) {
  return db.migration.findUniqueOrThrow({ where: { id } });
}

export async function passCounters(migrationId: string, pass: number) {
  const s = await db.migrationShard.aggregate({ where: { migrationId, pass }, _sum: { copiedObjects: true, copiedBytes: true, unchanged: true, skipped: true, failed: true, deleted: true, plannedObjects: true }, _count: { _all: true } });
  return {
    shards: s._count._all,
    planned: s._sum.plannedObjects ?? 0,
    copied: s._sum.copiedObjects ?? 0,
    copiedBytes: Number(s._sum.copiedBytes ?? 0),
    unchanged: s._sum.unchanged ?? 0,
    skipped: s._sum.skipped ?? 0,
    failed: s._sum.failed ?? 0,
    deleted: s._sum.deleted ?? 0,
  };
}

/** A store whose reads wait `ms` first, or wait for a gate to open. */
export function slowStore(store: ObjectStore, delay: () => Promise<void>): ObjectStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === "readObject") {
        return async (...args: Parameters<ObjectStore["readObject"]>) => {
          await delay();
          return target.readObject(...args);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

// Database errors while recording outcomes are the database's, never the object's: transient ones are retried,
// persistent ones fail the shard (retried whole), and no copied object is ever recorded FAILED because of them.
import path from "node:path";
import { Prisma } from "@crossdock/db";
import { type ObjectStore } from "@crossdock/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTransientDbError } from "../src/db-retry.ts";
import { planPass } from "../src/plan.ts";
import { runShard } from "../src/shard.ts";
import { bytes, createAccount, createMigration, db, expectSameObjects, ledger, passCounters, TestEngine, localPair, removeLocalPair } from "./helpers.ts";

let root: string;
let org: string;
let src: ObjectStore;
let dst: ObjectStore;
let n = 0;

beforeAll(async () => {
  ({ root, src, dst, org } = await localPair("db errors"));
});

afterAll(() => removeLocalPair(root));

const poolExhausted = () =>
  new Prisma.PrismaClientKnownRequestError("Transaction API error: Unable to start a transaction in the given time.", { code: "P2028", clientVersion: "test" });

/** A recording flush: the one-statement batch (WITH objects/billed/shard ...). */
const isFlush = (arg: unknown) => arg instanceof Prisma.Sql && /^\s*WITH\b[\s\S]*"MigrationShard"/.test(arg.sql);

/** The engine's database, except that the recording flushes fail while `failing()` says so. */
function flakyDb(failing: () => boolean): typeof db {
  return new Proxy(db, {
    get(target, property) {
      if (property === "$queryRaw") {
        return (arg: unknown, ...rest: unknown[]) => (isFlush(arg) && failing() ? Promise.reject(poolExhausted()) : (target.$queryRaw as (...a: unknown[]) => unknown)(arg, ...rest));
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function setup(count: number, failing: () => boolean) {
  const bucket = `b${++n}`;
  await src.createBucket(bucket);
  await dst.createBucket(bucket);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const body = bytes(100 + i);
    total += body.length;
    await src.writeObject(bucket, `k/${String(i).padStart(3, "0")}`, body);
  }
  const a = { provider: "local" as const, rootDir: path.join(root, "a") };
  const b = { provider: "local" as const, rootDir: path.join(root, "b") };
  const [source, dest] = [await createAccount(org, a), await createAccount(org, b)];
  const engine = new TestEngine().account(source, a).account(dest, b);
  Object.defineProperty(engine, "db", { value: flakyDb(failing) });
  const id = await createMigration({ organizationId: org, source, sourceBucket: bucket, dest, destBucket: bucket, options: { concurrency: 4 } });
  // Objects written by a failed run and found unrecorded are adopted only when written after the migration began.
  await db.migration.update({ where: { id }, data: { startedAt: new Date() } });
  engine.holdPlans = true;
  await planPass(engine, id);
  const job = engine.queue.splice(0).find((j) => j.kind === "shard");
  if (job?.kind !== "shard") throw new Error("no shard planned");
  return { engine, id, shardId: job.shard.id, total, bucket };
}

describe("database errors while recording", () => {
  it("classifies pool exhaustion and dropped connections as transient, constraint errors not", () => {
    expect(isTransientDbError(poolExhausted())).toBe(true);
    expect(isTransientDbError(Object.assign(new Error("Connection terminated unexpectedly"), {}))).toBe(true);
    expect(isTransientDbError(new Error("wrapped", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }))).toBe(true);
    expect(isTransientDbError(new Prisma.PrismaClientKnownRequestError("Unique constraint failed", { code: "P2002", clientVersion: "test" }))).toBe(false);
    // The flush is one raw statement: its deadlock arrives as P2010 with PostgreSQL's message.
    expect(isTransientDbError(new Prisma.PrismaClientKnownRequestError("Raw query failed. Code: `40P01`. Message: `deadlock detected`", { code: "P2010", clientVersion: "test" }))).toBe(true);
    const serialization = { driverAdapterError: { name: "DriverAdapterError", cause: { originalCode: "40001", kind: "TransactionWriteConflict" } } };
    expect(isTransientDbError(new Prisma.PrismaClientKnownRequestError("Raw query failed.", { code: "P2010", clientVersion: "test", meta: serialization }))).toBe(true);
    expect(isTransientDbError(new Prisma.PrismaClientKnownRequestError("Raw query failed. Code: `23505`. Message: `duplicate key value`", { code: "P2010", clientVersion: "test" }))).toBe(false);
  });

  it("retries a transient error (pool exhausted): every object COPIED, none FAILED, billed once", async () => {
    let failures = 2;
    const { engine, id, shardId, total, bucket } = await setup(30, () => failures-- > 0);
    expect(await runShard(engine, shardId)).toMatchObject({ status: "done", copiedObjects: 30, copiedBytes: total, failed: 0 });
    expect(failures).toBeLessThan(0);
    expect(await db.migrationObject.count({ where: { migrationId: id, result: { not: "COPIED" } } })).toBe(0);
    expect(await passCounters(id, 0)).toMatchObject({ copied: 30, copiedBytes: total, failed: 0 });
    expect(await ledger(id)).toEqual({ rows: 30, bytes: total, distinctKeys: 30 });
    await expectSameObjects({ store: src, bucket }, { store: dst, bucket });
  });

  it("a database that keeps refusing fails the shard, not the objects; the retried shard records and bills each once", async () => {
    let failing = true;
    const { engine, id, shardId, total } = await setup(30, () => failing);
    await expect(runShard(engine, shardId)).rejects.toMatchObject({ code: "P2028" });
    const failed = await db.migrationShard.findUniqueOrThrow({ where: { id: shardId } });
    expect(failed.state).toBe("FAILED");
    expect(failed.lastError).toMatch(/Unable to start a transaction/);
    // Nothing was recorded, so nothing was recorded FAILED, and nothing was billed.
    expect(await db.migrationObject.count({ where: { migrationId: id } })).toBe(0);
    expect((await ledger(id)).rows).toBe(0);

    failing = false;
    expect(await runShard(engine, shardId)).toMatchObject({ status: "done", copiedObjects: 30, copiedBytes: total, failed: 0 });
    expect(await ledger(id)).toEqual({ rows: 30, bytes: total, distinctKeys: 30 });
  });
});

// Options, selection, failures and retries, verification, overwrite rules, metadata, bandwidth limit,
// progress, the report and the dry run, over local disk (fast) with faults injected where needed.
import path from "node:path";
import { ObjectStoreError, type ObjectStore, type ObjectSummary } from "@crossdock/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retryFailed } from "../src/advance.ts";
import { DEFAULT_EGRESS_PRICES, dryRun, egressPricePerGB } from "../src/dry-run.ts";
import { listRange, ListingOrderError, mergeListings } from "../src/listing.ts";
import { migrationOptionsSchema, parseMigrationOptions, serializeMigrationOptions } from "../src/options.ts";
import { migrationProgress } from "../src/progress.ts";
import { migrationReport, reportToCsv, reportToJsonLines, type ReportRow } from "../src/report.ts";
import { bytes, createAccount, createMigration, db, ledger, listAll, migrationRow, passCounters, TestEngine, localPair, removeLocalPair } from "./helpers.ts";

let root: string;
let org: string;
let src: ObjectStore;
let dst: ObjectStore;
let n = 0;

beforeAll(async () => {
  ({ root, src, dst, org } = await localPair("features"));
});

afterAll(() => removeLocalPair(root));

async function setup(objects: Record<string, Buffer | string>, options: Record<string, unknown> = {}, meta: Record<string, Record<string, string>> = {}) {
  const bucket = `b${++n}`;
  await src.createBucket(bucket);
  await dst.createBucket(bucket);
  for (const [key, body] of Object.entries(objects)) await src.writeObject(bucket, key, body, { userMetadata: meta[key], contentType: "text/plain" });
  const a = { provider: "local" as const, rootDir: path.join(root, "a") };
  const b = { provider: "local" as const, rootDir: path.join(root, "b") };
  const source = await createAccount(org, a);
  const dest = await createAccount(org, b);
  const engine = new TestEngine().account(source, a).account(dest, b);
  const id = await createMigration({ organizationId: org, source, sourceBucket: bucket, dest, destBucket: bucket, options });
  return { bucket, engine, id };
}

/** Wraps stores so that chosen calls fail or lie. */
function faulty(store: ObjectStore, faults: { failWrite?: (key: string) => Error | undefined; lieMd5?: (key: string) => boolean }): ObjectStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === "writeObject") {
        return async (...args: Parameters<ObjectStore["writeObject"]>) => {
          const error = faults.failWrite?.(args[1]);
          if (error) throw error;
          return target.writeObject(...args);
        };
      }
      if (property === "headObject") {
        return async (...args: Parameters<ObjectStore["headObject"]>) => {
          const info = await target.headObject(...args);
          return faults.lieMd5?.(args[1]) ? { ...info, hashes: { ...info.hashes, md5: "0".repeat(32) } } : info;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("options", () => {
  it("fills defaults and round-trips through JSON", () => {
    const o = parseMigrationOptions({});
    expect(o).toMatchObject({ overwrite: "changed", deleteExtraneous: false, preserveMetadata: true, verify: "hash", concurrency: 16, shard: { maxObjects: 1000, maxBytes: 1024 ** 3 }, syncThreshold: 0, include: [], exclude: [] });
    const stored = serializeMigrationOptions({ include: ["*.jpg"], modifiedSince: new Date("2024-05-01T00:00:00Z"), shard: { maxObjects: 10 } });
    expect(stored.modifiedSince).toBe("2024-05-01T00:00:00.000Z");
    const back = parseMigrationOptions(JSON.parse(JSON.stringify(stored)));
    expect(back.modifiedSince).toEqual(new Date("2024-05-01T00:00:00Z"));
    expect(back.shard).toEqual({ maxObjects: 10, maxBytes: 1024 ** 3 });
  });

  it("rejects bad globs, inverted size ranges and unknown rules with readable messages", () => {
    const bad = migrationOptionsSchema.safeParse({ include: ["a[b"], minSize: 10, maxSize: 5, overwrite: "sometimes" });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n");
    expect(messages).toMatch(/include\.0: Invalid pattern "a\[b": a '\[' is never closed/);
    expect(messages).toMatch(/overwrite/);
    expect(migrationOptionsSchema.safeParse({ minSize: 10, maxSize: 5 }).error?.issues[0]?.message).toBe("minSize must not exceed maxSize");
  });
});

describe("listings", () => {
  it("refuses a listing that is not in byte order instead of mis-syncing", async () => {
    const fake = {
      async *listObjects() {
        yield { objects: ["a", "ünï", "with space"].map((key) => ({ key, size: 1 })), commonPrefixes: [] };
      },
    } as unknown as ObjectStore;
    await expect(collect(listRange(fake, "bucket", { prefix: "" }))).rejects.toBeInstanceOf(ListingOrderError);
  });

  it("merges two listings by the key relative to each prefix", async () => {
    const gen = async function* (keys: string[]): AsyncGenerator<ObjectSummary> {
      for (const key of keys) yield { key, size: 1 };
    };
    const merged = await collect(mergeListings(gen(["s/a", "s/b", "s/d"]), "s/", gen(["d/b", "d/c", "d/d", "d/e"]), "d/"));
    expect(merged.map((e) => [e.relativeKey, !!e.source, !!e.destination])).toEqual([
      ["a", true, false],
      ["b", true, true],
      ["c", false, true],
      ["d", true, true],
      ["e", false, true],
    ]);
  });
});

describe("engine features", () => {
  it("copies only the selection; records failures per object and carries on; retryFailed copies them later", async () => {
    const objects: Record<string, string> = {
      "docs/a.txt": "alpha",
      "docs/b.txt": "bravo",
      "docs/fail-me.txt": "charlie",
      "docs/empty.txt": "",
      "docs/skip/c.txt": "delta",
      "img/x.png": "png",
      "=cmd,\"quoted\".txt": "csv",
    };
    const { bucket, engine, id } = await setup(objects, { include: ["*.txt"], exclude: ["skip/**", "docs/skip/**"], minSize: 1, shard: { maxObjects: 2 } });
    let failing = true;
    engine.wrap = (s) => faulty(s, { failWrite: (key) => (failing && key === "docs/fail-me.txt" ? new ObjectStoreError("AccessDenied", "Access denied to b/docs/fail-me.txt during writeObject", { provider: "local", key }) : undefined) });
    engine.holdPlans = true;
    engine.start(id);
    await engine.drain();
    expect(await passCounters(id, 0)).toMatchObject({ planned: 4, copied: 3, failed: 1 });
    expect((await listAll(dst, bucket)).map((o) => o.key)).toEqual(["=cmd,\"quoted\".txt", "docs/a.txt", "docs/b.txt"]);

    // Pass 0 is done and pass 1 (its planner held back) is current.
    const progress = await migrationProgress(db, org, id);
    expect(progress).toMatchObject({ state: "SYNCING", pass: 1, planComplete: false, etaSeconds: null });
    const pass0 = progress.passes.find((p) => p.pass === 0)!;
    expect(pass0).toMatchObject({ plannedObjects: 4, copiedObjects: 3, failed: 1, shards: { done: pass0.shards.total, pending: 0 } });
    expect(pass0.shards.total).toBeGreaterThanOrEqual(2);
    expect(progress.recentFailures).toEqual([expect.objectContaining({ key: "docs/fail-me.txt", error: expect.stringMatching(/Access denied/), pass: 0 })]);
    expect(progress.throughput.objectsPerSec).toBeGreaterThan(0);

    // The report: key order, every outcome, CSV that spreadsheets cannot execute, JSON lines that parse.
    const rows = await collect(migrationReport(db, org, id, { pageSize: 2 }));
    expect(rows.map((r) => [r.key, r.result])).toEqual([
      ["=cmd,\"quoted\".txt", "COPIED"],
      ["docs/a.txt", "COPIED"],
      ["docs/b.txt", "COPIED"],
      ["docs/fail-me.txt", "FAILED"],
    ]);
    expect(rows[1]).toMatchObject({ size: 5, md5: "2c1743a391305fbf367df8e4f069f9f9", crc32c: expect.stringMatching(/^[0-9a-f]{8}$/), error: null, pass: 0 });
    const csv = (await collect(reportToCsv(migrationReport(db, org, id)))).join("");
    expect(csv.split("\r\n")[0]).toBe("key,size,md5,crc32c,result,error,pass");
    expect(csv).toContain(`"'=cmd,""quoted"".txt",3,`);
    const jsonl = (await collect(reportToJsonLines(migrationReport(db, org, id, { results: ["FAILED"] })))).join("");
    expect(jsonl.trim().split("\n").map((l) => JSON.parse(l) as ReportRow)).toEqual([expect.objectContaining({ key: "docs/fail-me.txt", result: "FAILED" })]);

    // Pass 1 still fails it; the migration waits for cutover with the failure explained.
    engine.release();
    await engine.drain();
    let m = await migrationRow(id);
    expect(m.state).toBe("READY_FOR_CUTOVER");
    expect(m.lastError).toMatch(/1 object\(s\) failed in pass 1/);

    failing = false;
    await retryFailed(engine, org, id);
    await engine.drain();
    m = await migrationRow(id);
    expect(m).toMatchObject({ state: "READY_FOR_CUTOVER", lastError: null });
    expect(await passCounters(id, 2)).toMatchObject({ copied: 1, unchanged: 3, failed: 0 });
    expect(await ledger(id)).toMatchObject({ rows: 4, distinctKeys: 4 });
  });

  it("one object failing transiently is that object's failure; a run of them fails the shard (retryable)", async () => {
    const objects = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`o-${String(i).padStart(2, "0")}`, `body ${i}`]));
    const { id, engine } = await setup(objects, { concurrency: 1 });
    let broken: (key: string) => boolean = (key) => key === "o-03";
    engine.wrap = (s) => faulty(s, { failWrite: (key) => (broken(key) ? new ObjectStoreError("Transient", `Temporary failure during writeObject b/${key}`, { provider: "local", key }) : undefined) });
    engine.holdPlans = true;
    engine.start(id);
    await engine.drain();
    expect(await passCounters(id, 0)).toMatchObject({ copied: 11, failed: 1 });

    const second = await setup(objects, { concurrency: 1 });
    second.engine.wrap = engine.wrap;
    broken = (key) => key >= "o-05";
    second.engine.holdPlans = true;
    second.engine.start(second.id);
    await second.engine.drain();
    const shard = await db.migrationShard.findFirstOrThrow({ where: { migrationId: second.id } });
    expect(shard).toMatchObject({ state: "FAILED", lastError: expect.stringMatching(/Temporary failure/) });
    expect(second.engine.errors).toEqual([expect.objectContaining({ kind: "Transient" })]);
    // Four failures in a row were recorded as the objects'; the fifth stopped the shard.
    expect(await db.migrationObject.count({ where: { migrationId: second.id, result: "FAILED" } })).toBe(4);
    broken = () => false;
    await second.engine.enqueueShard({ id: shard.id, migrationId: second.id, organizationId: org });
    await second.engine.drain();
    expect(await passCounters(second.id, 0)).toMatchObject({ copied: 12, failed: 0 });
    expect((await ledger(second.id)).rows).toBe(12);
  });

  it("retries a checksum mismatch a bounded number of times, then records it FAILED", async () => {
    const { id, engine } = await setup({ "good.bin": bytes(100), "bad.bin": bytes(100) });
    // The destination reports a digest that does not match what was sent.
    engine.wrap = (s) => (s.accountId.endsWith(`${path.sep}b`) ? faulty(s, { lieMd5: (key) => key === "bad.bin" }) : s);
    engine.holdPlans = true;
    engine.start(id);
    await engine.drain();
    const bad = await db.migrationObject.findUniqueOrThrow({ where: { migrationId_key: { migrationId: id, key: "bad.bin" } } });
    expect(bad).toMatchObject({ result: "FAILED", attempts: 3 });
    expect(bad.error).toMatch(/Checksum mismatch after copy: md5/);
    expect(await passCounters(id, 0)).toMatchObject({ copied: 1, failed: 1 });
    expect((await ledger(id)).rows).toBe(1);
  });

  it("overwrite never keeps the destination's copy; overwrite always re-copies every pass", async () => {
    const never = await setup({ "k.txt": "source version", "new.txt": "n" }, { overwrite: "never" });
    await dst.writeObject(never.bucket, "k.txt", "destination version");
    await never.engine.enqueuePlan(never.id);
    await never.engine.drain();
    expect(await passCounters(never.id, 0)).toMatchObject({ copied: 1, skipped: 1 });
    expect(await passCounters(never.id, 1)).toMatchObject({ copied: 0, skipped: 2 });
    expect((await dst.readObject(never.bucket, "k.txt")).contentLength).toBe("destination version".length);

    const always = await setup({ "k.txt": "v" }, { overwrite: "always", maxAutoPasses: 2, syncThreshold: 1 });
    await always.engine.enqueuePlan(always.id);
    await always.engine.drain();
    expect(await passCounters(always.id, 1)).toMatchObject({ copied: 1 });
    // Re-copying the same version is not billed again.
    expect((await ledger(always.id)).rows).toBe(1);
  });

  it("drops user metadata when asked, and paces reads to the bandwidth limit", async () => {
    const body = bytes(300 * 1024);
    const { bucket, engine, id } = await setup({ "m.bin": body, "n.bin": "x" }, { preserveMetadata: false, bandwidthLimitBytesPerSec: 150 * 1024 }, { "m.bin": { owner: "alice" }, "n.bin": { owner: "bob" } });
    engine.holdPlans = true;
    const started = Date.now();
    engine.start(id);
    await engine.drain();
    const elapsed = Date.now() - started;
    // 300 KiB at 150 KiB/s with a one-second burst: at least about a second.
    expect(elapsed).toBeGreaterThan(900);
    const info = await dst.headObject(bucket, "m.bin");
    expect(info.userMetadata).toEqual({});
    expect(info.contentType).toBe("text/plain");
    expect(info.size).toBe(body.length);
  });

  it("estimates a dry run from one streamed listing", async () => {
    const { bucket } = await setup({ "p/a.log": bytes(1000), "p/b.log": bytes(3000), "p/c.tmp": bytes(500), "q/d.log": bytes(7) });
    const estimate = await dryRun(src, { sourceBucket: bucket, sourcePrefix: "p/", destProvider: "s3", options: { exclude: ["*.tmp"] }, throughputBytesPerSec: 1000 }, { ...DEFAULT_EGRESS_PRICES, local: 0.5 });
    expect(estimate).toMatchObject({ objects: 2, bytes: 4000, excludedObjects: 1, excludedBytes: 500, pricePerGB: 0.5, estimatedSeconds: 4, freeEgress: false });
    expect(estimate.egressUsd).toBeCloseTo(Math.round((4000 / 1024 ** 3) * 0.5 * 100) / 100);
    expect(egressPricePerGB(DEFAULT_EGRESS_PRICES, { provider: "s3", region: "us-east-1" }, { provider: "azure" })).toBe(0.09);
    expect(egressPricePerGB(DEFAULT_EGRESS_PRICES, { provider: "s3", region: "us-east-1" }, { provider: "s3", region: "us-east-1" })).toBe(0);
    expect(egressPricePerGB(DEFAULT_EGRESS_PRICES, { provider: "s3", region: "us-east-1" }, { provider: "s3", region: "eu-west-1" })).toBe(0.09);
    expect(egressPricePerGB(DEFAULT_EGRESS_PRICES, { provider: "gcs" }, { provider: "azure" })).toBe(0.12);
  });
});

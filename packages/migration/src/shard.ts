// Runs one shard: the source range and its destination range side by side, each selected object decided
// (new / changed / unchanged), copied with bounded concurrency, verified, and recorded together with its
// ledger row, so a re-run (after a crash, or by a second worker) redoes nothing and bills nothing twice.
//
// Outcomes are buffered and written in batches (FLUSH_OBJECTS or FLUSH_MS, whichever comes first): one
// transaction upserts the batch's MigrationObject rows, inserts its ledger rows (skipping versions already
// billed) and sets the shard's counters under the lease. A crash loses at most the unflushed outcomes; their
// objects are on the destination with no record, which the re-run adopts (records and bills them once).
import { randomUUID } from "node:crypto";
import { Prisma } from "@crossdock/db";
import type { CompiledSelection } from "@crossdock/policy";
import { isObjectStoreError, type ContentHashes, type ObjectStore, type ObjectSummary } from "@crossdock/providers";
import { advanceMigration, SHARD_LEASE_MS } from "./advance.ts";
import { copyAndVerify, isMismatch, VERIFY_ATTEMPTS, type CopyOutcome } from "./copy.ts";
import { withDbRetry } from "./db-retry.ts";
import type { EngineDeps } from "./deps.ts";
import { inChunks, listRange, mergeListings, type MergedEntry } from "./listing.ts";
import { accountRegion, destinationKey, loadMigration, tenantOf, TERMINAL_STATES, type MigrationWithAccounts } from "./migration-row.ts";
import { parseMigrationOptions, selectionOf, type MigrationOptions } from "./options.ts";
import { messageOf } from "./plan.ts";
import { throttleStore, TokenBucket } from "./throttle.ts";

export interface RunShardOptions {
  /** Stops between objects: objects in flight finish and are recorded, the shard goes back to PENDING. */
  signal?: AbortSignal;
  /** How often the shard proves it is alive and looks for pause/cancel (ms). */
  heartbeatMs?: number;
  /** Listing page size (tests use small pages). */
  pageSize?: number;
}

export interface ShardCounts {
  copiedObjects: number;
  copiedBytes: number;
  unchanged: number;
  skipped: number;
  failed: number;
  deleted: number;
}

export type ShardOutcome =
  | ({ status: "done" } & ShardCounts)
  | { status: "stopped"; reason: "aborted" | "paused" | "cancelled" | "lost-lease" }
  | { status: "skipped"; reason: "missing" | "busy" | "finished" | "stale-pass" | "migration-finished" | "paused" };

/** Errors that say the shard cannot proceed at all (retried as a whole), not that one object is bad. */
const SHARD_LEVEL_KINDS = new Set(["InvalidCredentials", "BucketNotFound"]);
/** Errors the providers already retried; one is an object's failure, a run of them an unhealthy endpoint. */
const TRANSIENT_KINDS = new Set(["Transient", "Throttled"]);
/** This many transient failures in a row, with no success between, fail the shard (it is retried whole). */
const TRANSIENT_RUN_LIMIT = 5;
const LEDGER_KIND = "migration.copy";
/** Outcomes per recording transaction, and the longest an outcome waits for one. */
const FLUSH_OBJECTS = 100;
const FLUSH_MS = 250;
/** Objects wait for the database (backpressure) once this many outcomes are waiting to be written. */
const MAX_BUFFERED = 4 * FLUSH_OBJECTS;

type Counters = { copiedObjects: number; copiedBytes: bigint; unchanged: number; skipped: number; failed: number; deleted: number };
const zeroCounters = (): Counters => ({ copiedObjects: 0, copiedBytes: 0n, unchanged: 0, skipped: 0, failed: 0, deleted: 0 });
function addCounters(a: Counters, b: Partial<Counters>): Counters {
  return {
    copiedObjects: a.copiedObjects + (b.copiedObjects ?? 0),
    copiedBytes: a.copiedBytes + (b.copiedBytes ?? 0n),
    unchanged: a.unchanged + (b.unchanged ?? 0),
    skipped: a.skipped + (b.skipped ?? 0),
    failed: a.failed + (b.failed ?? 0),
    deleted: a.deleted + (b.deleted ?? 0),
  };
}

interface LedgerRow {
  organizationId: string;
  migrationId: string;
  kind: string;
  objectKey: string;
  objectVersion: string;
  bytes: bigint;
  sourceProvider: string;
  sourceRegion: string | null;
  destProvider: string;
  destRegion: string | null;
}

/** One object's outcome waiting to be written: its MigrationObject row, its counter deltas, its ledger row. */
interface PendingRecord {
  key: string;
  fields: { size: bigint; sourceEtag: string | null; md5: string | null; crc32c: string | null; result: ObjectRecord["result"]; serverSide: boolean; error: string | null; pass: number; attempts: number };
  counters: Partial<Counters>;
  ledger?: LedgerRow;
}

type ObjectRecord = { key: string; size: bigint; sourceEtag: string | null; result: "COPIED" | "UNCHANGED" | "SKIPPED" | "FAILED" | "DELETED"; pass: number };

type Decision =
  | { kind: "done" } // already recorded in this pass by an earlier run of this shard
  | { kind: "known-unchanged" }
  | { kind: "known-skipped" }
  | { kind: "unchanged"; hashes: ContentHashes }
  | { kind: "adopt"; hashes: ContentHashes }
  | { kind: "skip" }
  | { kind: "copy" };

/** The version a ledger row bills: the provider's change token, or size + date when there is none. */
function objectVersion(object: ObjectSummary): string {
  return object.etag ?? `${object.size}@${object.lastModified?.getTime() ?? 0}`;
}

export async function runShard(deps: EngineDeps, shardId: string, options: RunShardOptions = {}): Promise<ShardOutcome> {
  const found = await deps.db.migrationShard.findUnique({ where: { id: shardId } });
  if (!found) return { status: "skipped", reason: "missing" };
  const m = await loadMigration(deps.db, found.migrationId);
  if (TERMINAL_STATES.includes(m.state)) return { status: "skipped", reason: "migration-finished" };
  if (m.paused) return { status: "skipped", reason: "paused" };
  if (found.pass !== m.pass) return { status: "skipped", reason: "stale-pass" };
  if (found.state === "DONE") return { status: "skipped", reason: "finished" };

  const tenant = tenantOf(deps.db, m.organizationId);
  const now = new Date();
  // Claim: the attempt number becomes this run's token; every later write is conditional on it.
  const [shard] = await tenant.migrationShards.updateManyAndReturn({
    where: {
      id: shardId,
      pass: m.pass,
      OR: [{ state: { in: ["PENDING", "FAILED"] } }, { state: "RUNNING", updatedAt: { lt: new Date(now.getTime() - SHARD_LEASE_MS) } }],
    },
    data: { state: "RUNNING", attempts: { increment: 1 }, lastError: null, startedAt: found.startedAt ?? now, finishedAt: null, updatedAt: now },
  });
  if (!shard) return { status: "skipped", reason: "busy" };
  const run = new ShardRun(deps, m, shard.id, shard.attempts, shard.startAfter ?? undefined, shard.endKey ?? undefined, options);
  return run.execute();
}

class ShardRun {
  private readonly opts: MigrationOptions;
  private readonly selection: CompiledSelection;
  private readonly tenant;
  private transientRun = 0;
  private readonly guard;
  private stopReason: "aborted" | "paused" | "cancelled" | "lost-lease" | undefined;
  private fatal: unknown;
  /** Outcomes not written as records (unchanged/skipped as before): counted here and in the shard's counters. */
  private readonly unrecorded = { unchanged: 0, skipped: 0 };
  /** Outcomes waiting for the next flush, and known-unchanged/skipped counts not yet in the shard row. */
  private buffer: PendingRecord[] = [];
  private unflushed: { unchanged?: number; skipped?: number } = {};
  /**
   * The shard row's counters as this run last wrote them: what the pass had recorded in the range when the run
   * started, plus every outcome flushed since. Flushes write absolute values, so a retried flush (a COMMIT whose
   * acknowledgement was lost) cannot count anything twice.
   */
  private counted: Counters = zeroCounters();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** Set once the run has written its last batch (or given up): no timer may start another. */
  private closed = false;
  /** Batches are written one after another (each sets the counters from the previous one's). */
  private flushLock: Promise<unknown> = Promise.resolve();
  private source!: ObjectStore;
  /** Nothing recorded in the range when the run began (pass 0): no record lookups per chunk. */
  private freshRange = false;
  private destination!: ObjectStore;

  constructor(
    private readonly deps: EngineDeps,
    private readonly m: MigrationWithAccounts,
    private readonly shardId: string,
    token: number,
    private readonly startAfter: string | undefined,
    private readonly endKey: string | undefined,
    private readonly options: RunShardOptions,
  ) {
    this.opts = parseMigrationOptions(m.options);
    this.selection = selectionOf(this.opts);
    this.tenant = tenantOf(deps.db, m.organizationId);
    this.guard = { id: shardId, attempts: token, state: "RUNNING" as const };
  }

  private shouldStop(): boolean {
    if (this.options.signal?.aborted) this.stopReason ??= "aborted";
    return this.stopReason !== undefined || this.fatal !== undefined;
  }

  async execute(): Promise<ShardOutcome> {
    const { m, opts } = this;
    const heartbeat = this.startHeartbeat();
    const opened: ObjectStore[] = [];
    try {
      const sourceStore = this.deps.openStore(m.sourceAccount);
      opened.push(sourceStore);
      this.destination = this.deps.openStore(m.destAccount);
      opened.push(this.destination);
      // The cap is the migration's: one budget for all its shards, on every worker (per run when the host shares none).
      const rate = opts.bandwidthLimitBytesPerSec;
      this.source = rate ? throttleStore(sourceStore, this.deps.limits?.bandwidth(m.id, rate) ?? new TokenBucket(rate)) : sourceStore;
      // Counters restart from what this pass already recorded in the range (an earlier, interrupted run).
      this.counted = await withDbRetry(() => this.recordedCounts());
      // A first run of a pass-0 shard: no object in its range has a record yet (ranges are disjoint and pass 0
      // comes first), so the walk need not look any up. A run that lost its lease to this one may still write some;
      // decide() then finds their copies at the destination and adopts them (billing stays once per version).
      this.freshRange = m.pass === 0 && Object.values(this.counted).every((v) => Number(v) === 0);
      await withDbRetry(() => this.tenant.migrationShards.updateMany({ where: this.guard, data: this.counted }));
      await this.walk();
    } catch (error) {
      this.fatal ??= error;
    } finally {
      // Whatever finished is written before the run reports anything (stopped, failed or done).
      await this.flushAll().catch((error: unknown) => {
        this.fatal ??= error;
      });
      this.closed = true;
      await heartbeat.stop();
      await Promise.allSettled(opened.map((store) => store.close()));
    }

    if (this.fatal !== undefined) {
      const message = messageOf(this.fatal);
      await this.tenant.migrationShards.updateMany({ where: this.guard, data: { state: "FAILED", lastError: message, finishedAt: new Date() } }).catch(() => {});
      await advanceMigration(this.deps, m.id).catch(() => {});
      throw this.fatal;
    }
    if (this.stopReason !== undefined) {
      await withDbRetry(() => this.tenant.migrationShards.updateMany({ where: this.guard, data: { state: "PENDING" } }));
      return { status: "stopped", reason: this.stopReason };
    }
    const recorded = await withDbRetry(() => this.recordedCounts());
    const counts = { ...recorded, unchanged: recorded.unchanged + this.unrecorded.unchanged, skipped: recorded.skipped + this.unrecorded.skipped };
    const finishedAt = new Date();
    const finished = await withDbRetry(() => this.tenant.migrationShards.updateMany({ where: this.guard, data: { ...counts, state: "DONE", finishedAt, lastError: null } }));
    if (finished.count === 0) return { status: "stopped", reason: "lost-lease" };
    await withDbRetry(() => advanceMigration(this.deps, m.id));
    return { status: "done", ...counts, copiedBytes: Number(counts.copiedBytes) };
  }

  /** What this pass recorded for keys in the shard's range, by outcome. */
  private async recordedCounts() {
    const { m } = this;
    const groups = await this.tenant.migrationObjects.groupBy({
      by: ["result"],
      where: { migrationId: m.id, pass: m.pass, key: { gt: this.startAfter, lte: this.endKey } },
      _count: { _all: true },
      _sum: { size: true },
    });
    const of = (result: string) => groups.find((g) => g.result === result);
    return {
      copiedObjects: of("COPIED")?._count._all ?? 0,
      copiedBytes: of("COPIED")?._sum.size ?? 0n,
      unchanged: of("UNCHANGED")?._count._all ?? 0,
      skipped: of("SKIPPED")?._count._all ?? 0,
      failed: of("FAILED")?._count._all ?? 0,
      deleted: of("DELETED")?._count._all ?? 0,
    };
  }

  private startHeartbeat(): { stop(): Promise<void> } {
    const interval = this.options.heartbeatMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    let beating: Promise<void> = Promise.resolve();
    let stopped = false;
    const beat = async () => {
      const alive = await this.tenant.migrationShards.updateMany({ where: this.guard, data: { updatedAt: new Date() } });
      if (alive.count === 0) this.stopReason ??= "lost-lease";
      const current = await this.tenant.migrations.findUnique({ where: { id: this.m.id }, select: { paused: true, state: true, pass: true } });
      if (!current || TERMINAL_STATES.includes(current.state)) this.stopReason ??= "cancelled";
      else if (current.paused) this.stopReason ??= "paused";
      else if (current.pass !== this.m.pass) this.stopReason ??= "lost-lease";
    };
    const schedule = () => {
      timer = setTimeout(() => {
        beating = beat()
          .catch(() => {}) // a missed beat only delays the pause check; the lease tolerates it
          .finally(() => {
            if (!stopped) schedule();
          });
      }, interval);
    };
    schedule();
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        await beating;
      },
    };
  }

  private async walk(): Promise<void> {
    const { m } = this;
    const pageSize = this.options.pageSize;
    const toDest = (key: string | undefined) => (key === undefined ? undefined : destinationKey(key, m.sourcePrefix, m.destPrefix));
    const merged = mergeListings(
      listRange(this.source, m.sourceBucket, { prefix: m.sourcePrefix, startAfter: this.startAfter, endKey: this.endKey, pageSize }),
      m.sourcePrefix,
      listRange(this.destination, m.destBucket, { prefix: m.destPrefix, startAfter: toDest(this.startAfter), endKey: toDest(this.endKey), pageSize }),
      m.destPrefix,
    );
    const inflight = new Set<Promise<void>>();
    for await (const chunk of inChunks(merged, 100)) {
      if (this.shouldStop()) break;
      const records = await this.loadRecords(chunk);
      for (const entry of chunk) {
        if (this.shouldStop()) break;
        const task: Promise<void> = this.process(entry, records.get(m.sourcePrefix + entry.relativeKey))
          .catch((error: unknown) => {
            this.fatal ??= error;
          })
          .finally(() => inflight.delete(task));
        inflight.add(task);
        if (inflight.size >= this.opts.concurrency) await Promise.race(inflight);
      }
    }
    await Promise.all(inflight);
  }

  private async loadRecords(chunk: MergedEntry[]): Promise<Map<string, ObjectRecord>> {
    if (this.freshRange) return new Map();
    const keys = chunk.map((e) => this.m.sourcePrefix + e.relativeKey);
    const rows = await withDbRetry(() =>
      this.tenant.migrationObjects.findMany({
        where: { migrationId: this.m.id, key: { in: keys } },
        select: { key: true, size: true, sourceEtag: true, result: true, pass: true },
      }),
    );
    return new Map(rows.map((r) => [r.key, r]));
  }

  private async process(entry: MergedEntry, record: ObjectRecord | undefined): Promise<void> {
    const { m, selection } = this;
    if (entry.source) {
      const source = entry.source;
      if (!selection.matches({ key: entry.relativeKey, size: source.size, lastModified: source.lastModified })) return;
      const decision = await this.decide(source, entry.destination, record);
      switch (decision.kind) {
        case "done":
          return;
        case "known-unchanged":
        case "known-skipped": {
          const field = decision.kind === "known-unchanged" ? "unchanged" : "skipped";
          this.unrecorded[field]++;
          this.unflushed[field] = (this.unflushed[field] ?? 0) + 1;
          this.scheduleFlush();
          return;
        }
        case "unchanged":
          return this.record(source.key, { result: "UNCHANGED", size: source.size, sourceEtag: source.etag, hashes: decision.hashes }, { unchanged: 1 });
        case "skip":
          return this.record(source.key, { result: "SKIPPED", size: source.size, sourceEtag: source.etag, error: "Kept the destination's copy (overwrite: never)" }, { skipped: 1 });
        case "adopt":
          return this.recordCopied(source, { serverSide: false, size: source.size, hashes: decision.hashes, attempts: 1 });
        case "copy":
          return this.copy(source);
      }
    }
    if (entry.destination && this.opts.deleteExtraneous && m.pass >= 1 && selection.matchesKey(entry.relativeKey)) {
      await this.deleteExtraneous(entry.relativeKey, entry.destination);
    }
  }

  private async decide(source: ObjectSummary, destination: ObjectSummary | undefined, record: ObjectRecord | undefined): Promise<Decision> {
    const { m, opts } = this;
    const sameVersion = record !== undefined && record.size === BigInt(source.size) && record.sourceEtag === (source.etag ?? null);
    if (record && sameVersion && record.pass === m.pass && record.result !== "FAILED" && record.result !== "DELETED") return { kind: "done" };
    if (!destination) return { kind: "copy" };
    if (opts.overwrite === "never") return record?.result === "SKIPPED" && sameVersion ? { kind: "known-skipped" } : { kind: "skip" };
    if (opts.overwrite === "always") return { kind: "copy" };

    if (destination.size !== source.size) return { kind: "copy" };
    if (record?.sourceEtag && source.etag && record.sourceEtag !== source.etag) return { kind: "copy" };
    if (sameVersion && (record.result === "COPIED" || record.result === "UNCHANGED")) return { kind: "known-unchanged" };

    // No trustworthy record: compare the two objects themselves.
    let equal: boolean | undefined;
    let hashes: ContentHashes = {};
    if (this.source.provider === this.destination.provider && source.etag && source.etag === destination.etag) {
      equal = true;
    } else if (opts.verify === "hash") {
      const [s, d] = await Promise.all([this.source.headObject(m.sourceBucket, source.key), this.destination.headObject(m.destBucket, destination.key)]);
      const common = (["md5", "crc32c"] as const).filter((n) => s.hashes[n] !== undefined && d.hashes[n] !== undefined);
      if (common.length > 0) {
        equal = common.every((n) => s.hashes[n] === d.hashes[n]);
        hashes = { ...d.hashes, ...s.hashes };
      }
    }
    if (equal === false) return { kind: "copy" };
    if (equal === undefined && source.lastModified && destination.lastModified && source.lastModified > destination.lastModified) return { kind: "copy" };
    // Equal, with no record, written after this migration began: a run that died between writing the
    // object and recording it. Record (and bill) the copy it made instead of calling it unchanged.
    if (!record && m.startedAt && destination.lastModified && destination.lastModified >= m.startedAt) return { kind: "adopt", hashes };
    return { kind: "unchanged", hashes };
  }

  private async copy(source: ObjectSummary): Promise<void> {
    const { m, opts } = this;
    const destKey = destinationKey(source.key, m.sourcePrefix, m.destPrefix);
    let outcome: CopyOutcome;
    // Only the copy itself can fail the object. Recording is outside this catch: a database error must never be
    // written down as the object's failure (it is retried, and otherwise fails the shard).
    try {
      outcome = await copyAndVerify({
        source: { store: this.source, bucket: m.sourceBucket, key: source.key },
        destination: { store: this.destination, bucket: m.destBucket, key: destKey },
        preserveMetadata: opts.preserveMetadata,
        verify: opts.verify,
      });
    } catch (error) {
      this.classify(error);
      if (isObjectStoreError(error, "ObjectNotFound") && error.key === source.key) {
        // Deleted from the source between listing and copy: nothing to copy; the next pass sees it gone.
        return this.record(source.key, { result: "SKIPPED", size: source.size, sourceEtag: source.etag, error: "The source object was deleted after it was listed" }, { skipped: 1 });
      }
      return this.record(source.key, { result: "FAILED", size: source.size, sourceEtag: source.etag, error: messageOf(error), attempts: isMismatch(error) ? VERIFY_ATTEMPTS : 1 }, { failed: 1 });
    }
    this.transientRun = 0;
    await this.recordCopied(source, outcome);
  }

  private async deleteExtraneous(relative: string, destination: ObjectSummary): Promise<void> {
    const key = this.m.sourcePrefix + relative;
    try {
      await this.destination.deleteObject(this.m.destBucket, destination.key);
      this.transientRun = 0;
    } catch (error) {
      this.classify(error);
      return this.record(key, { result: "FAILED", size: destination.size, error: `Could not delete the extraneous destination object: ${messageOf(error)}` }, { failed: 1 });
    }
    await this.record(key, { result: "DELETED", size: destination.size }, { deleted: 1 });
  }

  /** Rethrows errors that concern the whole shard; returns for errors that concern one object. */
  private classify(error: unknown): void {
    if (!isObjectStoreError(error)) return;
    if (SHARD_LEVEL_KINDS.has(error.kind)) throw error;
    if (TRANSIENT_KINDS.has(error.kind) && ++this.transientRun >= TRANSIENT_RUN_LIMIT) throw error;
  }

  private async recordCopied(source: ObjectSummary, outcome: { serverSide: boolean; size: number; hashes: ContentHashes; attempts: number }): Promise<void> {
    const { m } = this;
    await this.record(
      source.key,
      { result: "COPIED", size: outcome.size, sourceEtag: source.etag, hashes: outcome.hashes, serverSide: outcome.serverSide, attempts: outcome.attempts },
      { copiedObjects: 1, copiedBytes: BigInt(outcome.size) },
      {
        organizationId: m.organizationId,
        migrationId: m.id,
        kind: LEDGER_KIND,
        objectKey: source.key,
        objectVersion: objectVersion(source),
        bytes: BigInt(outcome.size),
        sourceProvider: m.sourceAccount.provider,
        sourceRegion: accountRegion(m.sourceAccount) ?? null,
        destProvider: m.destAccount.provider,
        destRegion: accountRegion(m.destAccount) ?? null,
      },
    );
  }

  /**
   * Queues the object's latest outcome, its ledger row (at most once per version) and its counter deltas for the
   * next flush. Waits only when the database falls behind (MAX_BUFFERED outcomes waiting).
   */
  private async record(
    key: string,
    outcome: { result: ObjectRecord["result"]; size: number; sourceEtag?: string; hashes?: ContentHashes; serverSide?: boolean; error?: string; attempts?: number },
    counters: Partial<Counters>,
    ledger?: LedgerRow,
  ): Promise<void> {
    // One row per key per statement (ON CONFLICT cannot touch a row twice): a repeated key goes in the next batch.
    if (this.buffer.some((r) => r.key === key)) await this.flushAll();
    this.buffer.push({
      key,
      fields: {
        size: BigInt(outcome.size),
        sourceEtag: outcome.sourceEtag ?? null,
        md5: outcome.hashes?.md5 ?? null,
        crc32c: outcome.hashes?.crc32c ?? null,
        result: outcome.result,
        serverSide: outcome.serverSide ?? false,
        error: outcome.error ?? null,
        pass: this.m.pass,
        attempts: outcome.attempts ?? 1,
      },
      counters,
      ledger,
    });
    if (this.buffer.length >= FLUSH_OBJECTS) void this.flushSoon();
    else this.scheduleFlush();
    if (this.buffer.length >= MAX_BUFFERED) await this.flushing;
  }

  /** Arms the FLUSH_MS timer (outcomes never wait longer than that for a flush to start). */
  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flushSoon();
    }, FLUSH_MS);
    this.flushTimer.unref?.();
  }

  /** Starts a flush unless one is running; that one takes up full batches queued meanwhile. */
  private flushSoon(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        do {
          await this.flushBatch();
        } while (this.buffer.length >= FLUSH_OBJECTS && this.fatal === undefined);
      } catch (error) {
        // The database refused even after retries: the shard fails (and is retried whole). The outcomes lost
        // with the batch are re-decided by that retry (copied objects are adopted, billed once).
        this.fatal ??= error;
      } finally {
        this.flushing = undefined;
      }
      if (this.fatal === undefined && (this.buffer.length > 0 || Object.keys(this.unflushed).length > 0)) this.scheduleFlush();
    })();
    return this.flushing;
  }

  /** Writes everything still buffered; throws when the database refuses it. */
  private async flushAll(): Promise<void> {
    try {
      while (this.flushing) await this.flushing;
      while (this.buffer.length > 0 || Object.keys(this.unflushed).length > 0) await this.flushBatch();
    } finally {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
  }

  private flushBatch(): Promise<void> {
    const run = this.flushLock.then(() => this.writeBatch());
    this.flushLock = run.catch(() => {});
    return run;
  }

  /**
   * One statement (atomic on its own, one round trip, nothing for Prisma's query compiler to plan): a multi-row
   * upsert of MigrationObject, the batch's ledger rows (skipping versions already billed: the unique
   * (migrationId, objectKey, objectVersion) keeps billing exactly-once) and the shard's counters, conditional on the
   * lease. The shard row is locked only by that last part. Before, these were three Prisma calls in a transaction,
   * and compiling them cost ~5% of a worker's CPU on small objects (bench:migrate --profile).
   */
  private async writeBatch(): Promise<void> {
    const batch = this.buffer.splice(0, FLUSH_OBJECTS);
    const known = this.unflushed;
    if (batch.length === 0 && Object.keys(known).length === 0) return;
    this.unflushed = {};
    let delta: Counters = addCounters(zeroCounters(), known);
    for (const r of batch) delta = addCounters(delta, r.counters);
    const next = addCounters(this.counted, delta);
    // Rows in key order, so two runs of a shard (one that lost its lease) never lock them in opposite orders.
    const rows = batch.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const ledger = rows.flatMap((r) => (r.ledger ? [r.ledger] : []));
    const now = new Date();
    try {
      const [result] = await withDbRetry(() => this.deps.db.$queryRaw<{ leased: bigint }[]>(this.batchStatement(rows, ledger, next, now)));
      this.counted = next;
      // Another worker took the shard over: what was done is recorded; stop doing more.
      if (!result || Number(result.leased) === 0) this.stopReason ??= "lost-lease";
    } catch (error) {
      // Not written: keep the known counts for a later attempt (records are re-decided by the shard's retry).
      if (known.unchanged) this.unflushed.unchanged = (this.unflushed.unchanged ?? 0) + known.unchanged;
      if (known.skipped) this.unflushed.skipped = (this.unflushed.skipped ?? 0) + known.skipped;
      throw error;
    }
  }

  /**
   * WITH objects AS (upsert), billed AS (ledger insert), shard AS (guarded counter update) SELECT how many shard
   * rows the lease still matched. Data-modifying CTEs all run, referenced or not, in one snapshot.
   */
  private batchStatement(rows: PendingRecord[], ledger: LedgerRow[], next: Counters, now: Date): Prisma.Sql {
    const { m } = this;
    const parts: Prisma.Sql[] = [];
    if (rows.length > 0) parts.push(Prisma.sql`objects AS (${this.upsertObjects(rows, now)})`);
    if (ledger.length > 0) {
      const values = ledger.map(
        (l) =>
          Prisma.sql`(${randomUUID()}, ${l.organizationId}, ${l.migrationId}, ${l.kind}, ${l.objectKey}, ${l.objectVersion}, ${l.bytes}::bigint, ${l.sourceProvider}, ${l.sourceRegion}::text, ${l.destProvider}, ${l.destRegion}::text, ${now}::timestamp(3))`,
      );
      parts.push(Prisma.sql`billed AS (
        INSERT INTO "UsageRecord" ("id", "organizationId", "migrationId", "kind", "objectKey", "objectVersion", "bytes", "sourceProvider", "sourceRegion", "destProvider", "destRegion", "occurredAt")
        VALUES ${Prisma.join(values)}
        ON CONFLICT ("migrationId", "objectKey", "objectVersion") DO NOTHING)`);
    }
    parts.push(Prisma.sql`shard AS (
      UPDATE "MigrationShard" SET
        "copiedObjects" = ${next.copiedObjects}::integer, "copiedBytes" = ${next.copiedBytes}::bigint, "unchanged" = ${next.unchanged}::integer,
        "skipped" = ${next.skipped}::integer, "failed" = ${next.failed}::integer, "deleted" = ${next.deleted}::integer, "updatedAt" = ${now}::timestamp(3)
      WHERE "id" = ${this.guard.id} AND "organizationId" = ${m.organizationId} AND "attempts" = ${this.guard.attempts}::integer AND "state" = 'RUNNING'
      RETURNING 1)`);
    return Prisma.sql`WITH ${Prisma.join(parts, ",\n")} SELECT count(*) AS leased FROM shard`;
  }

  /** INSERT ... ON CONFLICT ("migrationId", "key") DO UPDATE for a batch (raw: Prisma has no multi-row upsert). */
  private upsertObjects(rows: PendingRecord[], now: Date): Prisma.Sql {
    const { m } = this;
    const values = rows.map(
      ({ key, fields: f }) =>
        Prisma.sql`(${randomUUID()}, ${m.id}, ${m.organizationId}, ${key}, ${f.size}::bigint, ${f.sourceEtag}::text, ${f.md5}::text, ${f.crc32c}::text, ${f.result}::"ObjectResult", ${f.serverSide}::boolean, ${f.error}::text, ${f.pass}::integer, ${f.attempts}::integer, ${now}::timestamp(3))`,
    );
    // The WHERE keeps the upsert inside the tenant, as the scoped client would.
    return Prisma.sql`
      INSERT INTO "MigrationObject" ("id", "migrationId", "organizationId", "key", "size", "sourceEtag", "md5", "crc32c", "result", "serverSide", "error", "pass", "attempts", "updatedAt")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("migrationId", "key") DO UPDATE SET
        "size" = EXCLUDED."size", "sourceEtag" = EXCLUDED."sourceEtag", "md5" = EXCLUDED."md5", "crc32c" = EXCLUDED."crc32c",
        "result" = EXCLUDED."result", "serverSide" = EXCLUDED."serverSide", "error" = EXCLUDED."error", "pass" = EXCLUDED."pass",
        "attempts" = EXCLUDED."attempts", "updatedAt" = EXCLUDED."updatedAt"
      WHERE "MigrationObject"."organizationId" = EXCLUDED."organizationId"`;
  }
}

// Runs one shard: the source range and its destination range side by side, each selected object decided
// (new / changed / unchanged), copied with bounded concurrency, verified, and recorded together with its
// ledger row, so a re-run (after a crash, or by a second worker) redoes nothing and bills nothing twice.
import type { CompiledSelection } from "@crossdock/policy";
import { isObjectStoreError, type ContentHashes, type ObjectStore, type ObjectSummary } from "@crossdock/providers";
import { advanceMigration, SHARD_LEASE_MS } from "./advance.ts";
import { copyAndVerify, isMismatch, VERIFY_ATTEMPTS } from "./copy.ts";
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
  /** Outcomes not written as records (unchanged/skipped as before): counted here, flushed with heartbeats. */
  private readonly unrecorded = { unchanged: 0, skipped: 0 };
  private readonly unflushed = { unchanged: 0, skipped: 0 };
  private source!: ObjectStore;
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
      this.source = opts.bandwidthLimitBytesPerSec ? throttleStore(sourceStore, new TokenBucket(opts.bandwidthLimitBytesPerSec)) : sourceStore;
      // Counters restart from what this pass already recorded in the range (an earlier, interrupted run).
      await this.tenant.migrationShards.updateMany({ where: this.guard, data: await this.recordedCounts() });
      await this.walk();
    } catch (error) {
      this.fatal ??= error;
    } finally {
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
      await this.tenant.migrationShards.updateMany({ where: this.guard, data: { state: "PENDING" } });
      return { status: "stopped", reason: this.stopReason };
    }
    const recorded = await this.recordedCounts();
    const counts = { ...recorded, unchanged: recorded.unchanged + this.unrecorded.unchanged, skipped: recorded.skipped + this.unrecorded.skipped };
    const finished = await this.tenant.migrationShards.updateMany({ where: this.guard, data: { ...counts, state: "DONE", finishedAt: new Date(), lastError: null } });
    if (finished.count === 0) return { status: "stopped", reason: "lost-lease" };
    await advanceMigration(this.deps, m.id);
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
      const { unchanged, skipped } = this.unflushed;
      this.unflushed.unchanged = 0;
      this.unflushed.skipped = 0;
      const alive = await this.tenant.migrationShards.updateMany({
        where: this.guard,
        data: { updatedAt: new Date(), unchanged: { increment: unchanged }, skipped: { increment: skipped } },
      });
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
    const keys = chunk.map((e) => this.m.sourcePrefix + e.relativeKey);
    const rows = await this.tenant.migrationObjects.findMany({
      where: { migrationId: this.m.id, key: { in: keys } },
      select: { key: true, size: true, sourceEtag: true, result: true, pass: true },
    });
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
          this.unflushed[field]++;
          return;
        }
        case "unchanged":
          return this.record(source.key, { result: "UNCHANGED", size: source.size, sourceEtag: source.etag, hashes: decision.hashes }, { unchanged: { increment: 1 } });
        case "skip":
          return this.record(source.key, { result: "SKIPPED", size: source.size, sourceEtag: source.etag, error: "Kept the destination's copy (overwrite: never)" }, { skipped: { increment: 1 } });
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
    try {
      const outcome = await copyAndVerify({
        source: { store: this.source, bucket: m.sourceBucket, key: source.key },
        destination: { store: this.destination, bucket: m.destBucket, key: destKey },
        preserveMetadata: opts.preserveMetadata,
        verify: opts.verify,
      });
      this.transientRun = 0;
      await this.recordCopied(source, outcome);
    } catch (error) {
      this.classify(error);
      if (isObjectStoreError(error, "ObjectNotFound") && error.key === source.key) {
        // Deleted from the source between listing and copy: nothing to copy; the next pass sees it gone.
        return this.record(source.key, { result: "SKIPPED", size: source.size, sourceEtag: source.etag, error: "The source object was deleted after it was listed" }, { skipped: { increment: 1 } });
      }
      await this.record(source.key, { result: "FAILED", size: source.size, sourceEtag: source.etag, error: messageOf(error), attempts: isMismatch(error) ? VERIFY_ATTEMPTS : 1 }, { failed: { increment: 1 } });
    }
  }

  private async deleteExtraneous(relative: string, destination: ObjectSummary): Promise<void> {
    const key = this.m.sourcePrefix + relative;
    try {
      await this.destination.deleteObject(this.m.destBucket, destination.key);
      this.transientRun = 0;
    } catch (error) {
      this.classify(error);
      return this.record(key, { result: "FAILED", size: destination.size, error: `Could not delete the extraneous destination object: ${messageOf(error)}` }, { failed: { increment: 1 } });
    }
    await this.record(key, { result: "DELETED", size: destination.size }, { deleted: { increment: 1 } });
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
      { copiedObjects: { increment: 1 }, copiedBytes: { increment: BigInt(outcome.size) } },
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

  /** The object's latest outcome, its ledger row (at most once per version) and the shard counters: one transaction. */
  private async record(
    key: string,
    outcome: { result: ObjectRecord["result"]; size: number; sourceEtag?: string; hashes?: ContentHashes; serverSide?: boolean; error?: string; attempts?: number },
    counters: Record<string, { increment: number | bigint }>,
    ledger?: {
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
    },
  ): Promise<void> {
    const { m, tenant } = this;
    const fields = {
      size: BigInt(outcome.size),
      sourceEtag: outcome.sourceEtag ?? null,
      md5: outcome.hashes?.md5 ?? null,
      crc32c: outcome.hashes?.crc32c ?? null,
      result: outcome.result,
      serverSide: outcome.serverSide ?? false,
      error: outcome.error ?? null,
      pass: m.pass,
      attempts: outcome.attempts ?? 1,
    };
    const upsert = tenant.migrationObjects.upsert({
      where: { migrationId_key: { migrationId: m.id, key } },
      create: { organizationId: m.organizationId, migrationId: m.id, key, ...fields },
      update: fields,
      select: { id: true },
    });
    const bump = tenant.migrationShards.updateMany({ where: this.guard, data: { ...counters, updatedAt: new Date() } });
    let bumped: { count: number };
    if (ledger) {
      const bill = tenant.usageRecords.createMany({ data: [ledger], skipDuplicates: true });
      [, , bumped] = await this.deps.db.$transaction([upsert, bill, bump]);
    } else {
      [, bumped] = await this.deps.db.$transaction([upsert, bump]);
    }
    // Another worker took the shard over: what was done is recorded; stop doing more.
    if (bumped.count === 0) this.stopReason ??= "lost-lease";
  }
}

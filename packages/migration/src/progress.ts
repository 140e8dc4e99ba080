// What the migration page shows: totals per pass, recent throughput, an ETA only when one can be given
// honestly, per-shard rows and the latest failures. Aggregates in SQL; nothing loads every object.
import type { Db } from "@crossdock/db";
import type { ShardCounts } from "./shard.ts";
import { MigrationNotFoundError, tenantOf } from "./migration-row.ts";

/** The same counters a shard run keeps. */
export type Counters = ShardCounts;

export interface PassProgress extends Counters {
  pass: number;
  plannedObjects: number;
  plannedBytes: number;
  shards: { total: number; pending: number; running: number; done: number; failed: number };
}

export interface ShardProgress extends Counters {
  id: string;
  index: number;
  state: string;
  startAfter: string | null;
  endKey: string | null;
  plannedObjects: number;
  plannedBytes: number;
  attempts: number;
  lastError: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface FailedObject {
  key: string;
  error: string | null;
  pass: number;
  attempts: number;
  at: Date;
}

export interface MigrationProgress {
  migrationId: string;
  state: string;
  paused: boolean;
  pass: number;
  planComplete: boolean;
  cutoverRequested: boolean;
  lastError: string | null;
  /** The pass being run; planned figures grow while its planner lists. */
  current: PassProgress;
  passes: PassProgress[];
  /** Over every pass: bytes copied by pass 0 and re-copied by sync passes add up. */
  totals: Counters;
  throughput: { windowSeconds: number; bytesPerSec: number; objectsPerSec: number };
  /**
   * Seconds left in the current pass, or null while it cannot be known: before the plan is complete, before
   * anything was measured, or (sync passes) before a shard finished. Pass 0 divides remaining planned bytes by
   * recent throughput; sync passes, where most objects are unchanged, extrapolate from finished shards.
   */
  etaSeconds: number | null;
  shardsShown: ShardProgress[];
  recentFailures: FailedObject[];
}

export interface ProgressOptions {
  /** Throughput window. */
  windowSeconds?: number;
  /** Shards of the current pass to return, by index. */
  shardOffset?: number;
  shardLimit?: number;
  failureLimit?: number;
  now?: Date;
}

const n = (value: bigint | number | null | undefined) => Number(value ?? 0);

export async function migrationProgress(db: Db, organizationId: string, migrationId: string, options: ProgressOptions = {}): Promise<MigrationProgress> {
  const { windowSeconds = 60, shardOffset = 0, shardLimit = 50, failureLimit = 20, now = new Date() } = options;
  const t = tenantOf(db, organizationId);
  const m = await t.migrations.findUnique({ where: { id: migrationId } });
  if (!m) throw new MigrationNotFoundError(migrationId);

  const [sums, states, shards, failures, recent, firstStart] = await Promise.all([
    t.migrationShards.groupBy({
      by: ["pass"],
      where: { migrationId },
      _sum: { plannedObjects: true, plannedBytes: true, copiedObjects: true, copiedBytes: true, unchanged: true, skipped: true, failed: true, deleted: true },
      _count: { _all: true },
      orderBy: { pass: "asc" },
    }),
    t.migrationShards.groupBy({ by: ["pass", "state"], where: { migrationId }, _count: { _all: true } }),
    t.migrationShards.findMany({ where: { migrationId, pass: m.pass }, orderBy: { index: "asc" }, skip: shardOffset, take: shardLimit }),
    t.migrationObjects.findMany({
      where: { migrationId, result: "FAILED" },
      orderBy: { updatedAt: "desc" },
      take: failureLimit,
      select: { key: true, error: true, pass: true, attempts: true, updatedAt: true },
    }),
    t.usageRecords.aggregate({ where: { migrationId, occurredAt: { gte: new Date(now.getTime() - windowSeconds * 1000), lte: now } }, _sum: { bytes: true }, _count: { _all: true } }),
    t.migrationShards.aggregate({ where: { migrationId, pass: m.pass }, _min: { startedAt: true } }),
  ]);

  const passes: PassProgress[] = sums.map((s) => {
    const count = (state: string) => states.find((x) => x.pass === s.pass && x.state === state)?._count._all ?? 0;
    return {
      pass: s.pass,
      plannedObjects: n(s._sum.plannedObjects),
      plannedBytes: n(s._sum.plannedBytes),
      copiedObjects: n(s._sum.copiedObjects),
      copiedBytes: n(s._sum.copiedBytes),
      unchanged: n(s._sum.unchanged),
      skipped: n(s._sum.skipped),
      failed: n(s._sum.failed),
      deleted: n(s._sum.deleted),
      shards: { total: s._count._all, pending: count("PENDING"), running: count("RUNNING"), done: count("DONE"), failed: count("FAILED") },
    };
  });
  const empty: PassProgress = { pass: m.pass, plannedObjects: 0, plannedBytes: 0, copiedObjects: 0, copiedBytes: 0, unchanged: 0, skipped: 0, failed: 0, deleted: 0, shards: { total: 0, pending: 0, running: 0, done: 0, failed: 0 } };
  const current = passes.find((p) => p.pass === m.pass) ?? empty;
  const totals: Counters = { copiedObjects: 0, copiedBytes: 0, unchanged: 0, skipped: 0, failed: 0, deleted: 0 };
  for (const p of passes) for (const k of Object.keys(totals) as (keyof Counters)[]) totals[k] += p[k];

  // Measure over the part of the window the migration was actually running.
  const since = m.startedAt ? Math.max(1, Math.min(windowSeconds, (now.getTime() - m.startedAt.getTime()) / 1000)) : windowSeconds;
  const bytesPerSec = n(recent._sum.bytes) / since;
  const objectsPerSec = recent._count._all / since;

  let etaSeconds: number | null = null;
  const active = m.state !== "COMPLETED" && m.state !== "CANCELLED" && m.state !== "FAILED" && m.state !== "READY_FOR_CUTOVER";
  if (active && m.planComplete) {
    if (m.pass === 0) {
      const remaining = shards.length === current.shards.total ? shards.filter((s) => s.state !== "DONE").reduce((sum, s) => sum + Math.max(0, n(s.plannedBytes) - n(s.copiedBytes)), 0) : await remainingBytes(db, organizationId, migrationId, m.pass);
      if (remaining === 0) etaSeconds = 0;
      else if (bytesPerSec > 0) etaSeconds = Math.ceil(remaining / bytesPerSec);
    } else if (current.shards.done > 0 && firstStart._min.startedAt) {
      const elapsed = (now.getTime() - firstStart._min.startedAt.getTime()) / 1000;
      etaSeconds = Math.ceil((elapsed / current.shards.done) * (current.shards.total - current.shards.done));
    }
  }

  return {
    migrationId,
    state: m.state,
    paused: m.paused,
    pass: m.pass,
    planComplete: m.planComplete,
    cutoverRequested: m.cutoverRequested,
    lastError: m.lastError,
    current: { ...current, plannedObjects: n(m.plannedObjects), plannedBytes: n(m.plannedBytes) },
    passes,
    totals,
    throughput: { windowSeconds, bytesPerSec, objectsPerSec },
    etaSeconds,
    shardsShown: shards.map((s) => ({
      id: s.id,
      index: s.index,
      state: s.state,
      startAfter: s.startAfter,
      endKey: s.endKey,
      plannedObjects: s.plannedObjects,
      plannedBytes: n(s.plannedBytes),
      copiedObjects: s.copiedObjects,
      copiedBytes: n(s.copiedBytes),
      unchanged: s.unchanged,
      skipped: s.skipped,
      failed: s.failed,
      deleted: s.deleted,
      attempts: s.attempts,
      lastError: s.lastError,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
    })),
    recentFailures: failures.map((f) => ({ key: f.key, error: f.error, pass: f.pass, attempts: f.attempts, at: f.updatedAt })),
  };
}

/** Planned bytes not yet copied in the pass's unfinished shards (an upper bound: unchanged objects count too). */
async function remainingBytes(db: Db, organizationId: string, migrationId: string, pass: number): Promise<number> {
  const rows = await db.$queryRaw<{ remaining: bigint | null }[]>`
    SELECT SUM(GREATEST("plannedBytes" - "copiedBytes", 0))::bigint AS "remaining"
    FROM "MigrationShard"
    WHERE "organizationId" = ${organizationId} AND "migrationId" = ${migrationId} AND "pass" = ${pass} AND "state" <> 'DONE'`;
  return n(rows[0]?.remaining);
}

// The migration state machine. Every transition happens under a row lock on the Migration, so when
// many shards finish at once exactly one caller moves the migration on.
//
//   PLANNING -> COPYING (pass 0) -> SYNCING (pass 1..) -> READY_FOR_CUTOVER -> VERIFYING (final pass) -> COMPLETED
//   any -> CANCELLED (user), any -> FAILED (a shard failed MAX_SHARD_ATTEMPTS times)
import type { Prisma } from "@crossdock/db";
import type { EngineDeps } from "./deps.ts";
import { lockMigration, pendingShardIds, tenantOf, TERMINAL_STATES, type LockedMigration, type MigrationStateName } from "./migration-row.ts";
import { parseMigrationOptions } from "./options.ts";

type Tx = Prisma.TransactionClient;

/** A shard that failed this many times (shard-level errors: source unreachable, bucket gone) fails the migration. */
export const MAX_SHARD_ATTEMPTS = 5;
/** A running shard that has not heartbeated (every 2 s) for this long is taken over by another worker. */
export const SHARD_LEASE_MS = Number(process.env.MIGRATION_SHARD_LEASE_MS ?? 20_000);

export type AdvanceOutcome =
  | { action: "none"; reason: "missing" | "idle" | "paused" | "planning" | "shards-running" }
  | { action: "pass-started"; pass: number; state: MigrationStateName }
  | { action: "ready-for-cutover"; pass: number }
  | { action: "completed"; pass: number }
  | { action: "failed"; error: string };

export type MigrationCommandErrorKind = "NotFound" | "InvalidState";

/** A refused command, phrased for the UI. */
export class MigrationCommandError extends Error {
  override readonly name = "MigrationCommandError";
  constructor(
    readonly kind: MigrationCommandErrorKind,
    message: string,
  ) {
    super(message);
  }
}

async function startPass(tx: Tx, row: LockedMigration, state: MigrationStateName): Promise<AdvanceOutcome> {
  const pass = row.pass + 1;
  await tenantOf(tx, row.organizationId).migrations.update({
    where: { id: row.id },
    data: { pass, state, planComplete: false, planCursor: null, plannedShards: 0, plannedObjects: 0, plannedBytes: 0n },
  });
  return { action: "pass-started", pass, state };
}

/** Called after a plan completes and after each shard finishes; safe to call any time, from anywhere. */
export async function advanceMigration(deps: EngineDeps, migrationId: string): Promise<AdvanceOutcome> {
  const outcome = await deps.db.$transaction(async (tx): Promise<AdvanceOutcome> => {
    const row = await lockMigration(tx, migrationId);
    if (!row) return { action: "none", reason: "missing" };
    if (TERMINAL_STATES.includes(row.state) || row.state === "READY_FOR_CUTOVER") return { action: "none", reason: "idle" };
    if (row.paused) return { action: "none", reason: "paused" };
    if (!row.planComplete) return { action: "none", reason: "planning" };

    const t = tenantOf(tx, row.organizationId);
    const where = { migrationId, pass: row.pass };
    const unfinished = await t.migrationShards.count({ where: { ...where, OR: [{ state: { in: ["PENDING", "RUNNING"] } }, { state: "FAILED", attempts: { lt: MAX_SHARD_ATTEMPTS } }] } });
    if (unfinished > 0) return { action: "none", reason: "shards-running" };
    const exhausted = await t.migrationShards.findFirst({ where: { ...where, state: "FAILED" }, orderBy: { index: "asc" } });
    if (exhausted) {
      const error = `Shard ${exhausted.index} of pass ${row.pass} failed ${exhausted.attempts} times: ${exhausted.lastError ?? "unknown error"}`;
      await t.migrations.update({ where: { id: migrationId }, data: { state: "FAILED", lastError: error } });
      return { action: "failed", error };
    }

    const sums = await t.migrationShards.aggregate({ where, _sum: { copiedObjects: true, deleted: true, failed: true } });
    const delta = (sums._sum.copiedObjects ?? 0) + (sums._sum.deleted ?? 0);
    const failed = sums._sum.failed ?? 0;
    const failureNote = failed > 0 ? `${failed} object(s) failed in pass ${row.pass}; see the report` : null;
    const options = parseMigrationOptions(row.options);

    if (row.state === "VERIFYING") {
      // A VERIFYING pass only starts once cutover was requested: it is the full pass after the request.
      await t.migrations.update({ where: { id: migrationId }, data: { state: "COMPLETED", completedAt: new Date(), lastError: failureNote } });
      return { action: "completed", pass: row.pass };
    }
    if (row.cutoverRequested) return startPass(tx, row, "VERIFYING");
    if (row.pass === 0) return startPass(tx, row, "SYNCING");
    if (delta <= options.syncThreshold || row.pass >= options.maxAutoPasses) {
      await t.migrations.update({ where: { id: migrationId }, data: { state: "READY_FOR_CUTOVER", lastError: failureNote } });
      return { action: "ready-for-cutover", pass: row.pass };
    }
    return startPass(tx, row, "SYNCING");
  });
  // Queued after commit: a plan job that ran before the commit would see the old pass and do nothing.
  if (outcome.action === "pass-started") await deps.enqueuePlan(migrationId);
  return outcome;
}

/** Locks the row of a tenant's migration for a user command. */
async function lockOwned(tx: Tx, organizationId: string, migrationId: string): Promise<LockedMigration> {
  const row = await lockMigration(tx, migrationId);
  if (!row || row.organizationId !== organizationId) throw new MigrationCommandError("NotFound", "This migration does not exist.");
  return row;
}

function refuseWhenFinished(row: LockedMigration, action: string) {
  if (TERMINAL_STATES.includes(row.state)) throw new MigrationCommandError("InvalidState", `Cannot ${action}: the migration is ${row.state.toLowerCase().replace(/_/g, " ")}.`);
}

/**
 * Asks for the final pass. From READY_FOR_CUTOVER it starts at once; during a pass it starts when that pass ends.
 * The migration completes when a full pass that began after the request has run.
 */
export async function requestCutover(deps: EngineDeps, organizationId: string, migrationId: string): Promise<AdvanceOutcome> {
  const outcome = await deps.db.$transaction(async (tx): Promise<AdvanceOutcome> => {
    const row = await lockOwned(tx, organizationId, migrationId);
    refuseWhenFinished(row, "cut over");
    const t = tenantOf(tx, organizationId);
    await t.migrations.update({ where: { id: migrationId }, data: { cutoverRequested: true } });
    if (row.state === "READY_FOR_CUTOVER") return startPass(tx, row, "VERIFYING");
    return { action: "none", reason: "shards-running" };
  });
  if (outcome.action === "pass-started") await deps.enqueuePlan(migrationId);
  return outcome;
}

/** Running shards stop at their next check and go back to PENDING; the planner stops at its next shard. */
export async function pauseMigration(deps: EngineDeps, organizationId: string, migrationId: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const row = await lockOwned(tx, organizationId, migrationId);
    refuseWhenFinished(row, "pause");
    await tenantOf(tx, organizationId).migrations.update({ where: { id: migrationId }, data: { paused: true } });
  });
}

export async function resumeMigration(deps: EngineDeps, organizationId: string, migrationId: string): Promise<AdvanceOutcome> {
  await deps.db.$transaction(async (tx) => {
    const row = await lockOwned(tx, organizationId, migrationId);
    refuseWhenFinished(row, "resume");
    await tenantOf(tx, organizationId).migrations.update({ where: { id: migrationId }, data: { paused: false } });
  });
  return recoverMigration(deps, migrationId);
}

/** Stops the migration for good; running shards stop at their next check. */
export async function cancelMigration(deps: EngineDeps, organizationId: string, migrationId: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const row = await lockOwned(tx, organizationId, migrationId);
    if (row.state === "COMPLETED") throw new MigrationCommandError("InvalidState", "Cannot cancel: the migration has completed.");
    if (row.state === "CANCELLED") return;
    await tenantOf(tx, organizationId).migrations.update({ where: { id: migrationId }, data: { state: "CANCELLED", completedAt: new Date() } });
  });
}

/**
 * Tries failed work again. READY_FOR_CUTOVER: a new sync pass (it re-copies every object whose last outcome
 * was FAILED, and anything changed since). FAILED: the exhausted shards get fresh attempts.
 */
export async function retryFailed(deps: EngineDeps, organizationId: string, migrationId: string): Promise<AdvanceOutcome> {
  const outcome = await deps.db.$transaction(async (tx): Promise<AdvanceOutcome> => {
    const row = await lockOwned(tx, organizationId, migrationId);
    const t = tenantOf(tx, organizationId);
    if (row.state === "READY_FOR_CUTOVER") return startPass(tx, row, "SYNCING");
    if (row.state === "FAILED") {
      await t.migrationShards.updateMany({ where: { migrationId, pass: row.pass, state: "FAILED" }, data: { state: "PENDING", attempts: 0 } });
      const state = row.cutoverRequested && row.pass > 0 ? "VERIFYING" : row.pass === 0 ? "COPYING" : "SYNCING";
      await t.migrations.update({ where: { id: migrationId }, data: { state, lastError: null } });
      return { action: "none", reason: "shards-running" };
    }
    throw new MigrationCommandError("InvalidState", `Nothing to retry while the migration is ${row.state.toLowerCase().replace(/_/g, " ")}.`);
  });
  if (outcome.action === "pass-started") await deps.enqueuePlan(migrationId);
  else await recoverMigration(deps, migrationId);
  return outcome;
}

/**
 * Re-queues whatever the current pass still needs (unfinished plan, pending or abandoned shards) and advances.
 * Idempotent: the worker can also run it from a periodic sweep to heal lost jobs.
 */
export async function recoverMigration(deps: EngineDeps, migrationId: string): Promise<AdvanceOutcome> {
  const m = await deps.db.migration.findUnique({ where: { id: migrationId } });
  if (!m || TERMINAL_STATES.includes(m.state) || m.paused) return { action: "none", reason: m ? "idle" : "missing" };
  if (!m.planComplete) await deps.enqueuePlan(migrationId);
  const t = tenantOf(deps.db, m.organizationId);
  const stale = new Date(Date.now() - SHARD_LEASE_MS);
  await t.migrationShards.updateMany({ where: { migrationId, pass: m.pass, state: "RUNNING", updatedAt: { lt: stale } }, data: { state: "PENDING" } });
  await t.migrationShards.updateMany({ where: { migrationId, pass: m.pass, state: "FAILED", attempts: { lt: MAX_SHARD_ATTEMPTS } }, data: { state: "PENDING" } });
  for await (const id of pendingShardIds(deps.db, m.organizationId, migrationId, m.pass)) {
    await deps.enqueueShard({ id, migrationId, organizationId: m.organizationId });
  }
  return advanceMigration(deps, migrationId);
}


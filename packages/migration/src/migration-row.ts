// Reading and locking the Migration row: the one place transitions are serialized.
import { forTenant, type Db, type Prisma, type StorageAccount } from "@crossdock/db";

type Tx = Prisma.TransactionClient;
export type MigrationRow = Prisma.MigrationModel;
export type ShardRow = Prisma.MigrationShardModel;
export type MigrationStateName = MigrationRow["state"];

export const TERMINAL_STATES: readonly MigrationStateName[] = ["COMPLETED", "FAILED", "CANCELLED"];

export class MigrationNotFoundError extends Error {
  override readonly name = "MigrationNotFoundError";
  constructor(readonly migrationId: string) {
    super(`Migration ${migrationId} does not exist`);
  }
}

export interface MigrationWithAccounts extends MigrationRow {
  sourceAccount: StorageAccount;
  destAccount: StorageAccount;
}

/** Jobs carry only ids: find the migration (and its tenant) by id, then scope everything else to that tenant. */
export async function loadMigration(db: Db, migrationId: string): Promise<MigrationWithAccounts> {
  const found = await db.migration.findUnique({ where: { id: migrationId }, include: { sourceAccount: true, destAccount: true } });
  if (!found) throw new MigrationNotFoundError(migrationId);
  return found;
}

export interface LockedMigration {
  id: string;
  organizationId: string;
  state: MigrationStateName;
  paused: boolean;
  pass: number;
  planComplete: boolean;
  planCursor: string | null;
  plannedShards: number;
  cutoverRequested: boolean;
  options: unknown;
}

/**
 * SELECT ... FOR NO KEY UPDATE: whoever holds this decides the next transition; others wait, then see its result.
 * Not FOR UPDATE: that conflicts with the FOR KEY SHARE lock every MigrationObject / UsageRecord insert takes on
 * this row through its foreign key, so a transition would stall (and be stalled by) every shard's recording.
 */
export async function lockMigration(tx: Tx, migrationId: string): Promise<LockedMigration | undefined> {
  const rows = await tx.$queryRaw<LockedMigration[]>`
    SELECT "id", "organizationId", "state"::text AS "state", "paused", "pass", "planComplete", "planCursor", "plannedShards", "cutoverRequested", "options"
    FROM "Migration" WHERE "id" = ${migrationId} FOR NO KEY UPDATE`;
  return rows[0];
}

export function tenantOf(client: Db | Tx, organizationId: string) {
  return forTenant(client, organizationId);
}

/** Region of an account, when its settings name one (used for metering and egress prices). */
export function accountRegion(account: StorageAccount): string | undefined {
  const settings = account.settings as Record<string, unknown> | null;
  const region = settings && typeof settings === "object" ? settings.region : undefined;
  return typeof region === "string" && region ? region : undefined;
}

/** The destination key for a source key: the source prefix swapped for the destination prefix. */
export function destinationKey(sourceKey: string, sourcePrefix: string, destPrefix: string): string {
  return destPrefix + sourceKey.slice(sourcePrefix.length);
}

/** Ids of the pass's PENDING shards, a page at a time. */
export async function* pendingShardIds(db: Db, organizationId: string, migrationId: string, pass: number): AsyncGenerator<string> {
  const tenant = tenantOf(db, organizationId);
  let after = -1;
  for (;;) {
    const rows = await tenant.migrationShards.findMany({
      where: { migrationId, pass, state: "PENDING", index: { gt: after } },
      orderBy: { index: "asc" },
      select: { id: true, index: true },
      take: 500,
    });
    for (const row of rows) yield row.id;
    if (rows.length < 500) return;
    after = rows[rows.length - 1]!.index;
  }
}


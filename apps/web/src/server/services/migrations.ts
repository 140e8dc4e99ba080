import "server-only";
import { TRPCError } from "@trpc/server";
import { db, type TenantDb } from "@crossdock/db";
import { createMigrationQueue, migrationEnqueuers } from "@crossdock/jobs";
import { organizationEgressPrices } from "@crossdock/billing";
import { MigrationCommandError, MigrationNotFoundError, type EgressPriceTable, type EngineDeps } from "@crossdock/migration";
import { env } from "../env";
import { redis } from "../redis";
import { openAccountStore } from "./storage-accounts";

const g = globalThis as unknown as { crossdockMigrationQueue?: ReturnType<typeof createMigrationQueue> };

/** The engine's dependencies as the web app provides them (commands enqueue; workers do the copying). */
export function engineDeps(): EngineDeps {
  const queue = (g.crossdockMigrationQueue ??= createMigrationQueue(redis(), env().REDIS_PREFIX));
  return { db: db(), openStore: openAccountStore, ...migrationEnqueuers(queue) };
}

/** Engine refusals as API errors the UI can show. */
export async function command<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof MigrationNotFoundError) throw new TRPCError({ code: "NOT_FOUND", message: "No migration with that id in this organization." });
    if (error instanceof MigrationCommandError) throw new TRPCError({ code: error.kind === "NotFound" ? "NOT_FOUND" : "CONFLICT", message: error.message });
    throw error;
  }
}

export async function findMigration(tenant: TenantDb, id: string) {
  const migration = await tenant.migrations.findUnique({ where: { id }, include: { sourceAccount: true, destAccount: true } });
  if (!migration) throw new TRPCError({ code: "NOT_FOUND", message: "No migration with that id in this organization." });
  return migration;
}

/** The organization's egress price table (USD per GB by source provider), defaults filled in. */
export function egressPrices(organizationId: string): Promise<{ prices: EgressPriceTable; defaults: EgressPriceTable; custom: boolean }> {
  return organizationEgressPrices(db(), organizationId);
}

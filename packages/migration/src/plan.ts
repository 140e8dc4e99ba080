// The planner: streams the source listing once per pass and cuts it into key-range shards as it goes,
// so copying starts before the listing ends and a crashed planner resumes from its cursor.
import { relativeKey } from "@crossdock/policy";
import type { EngineDeps } from "./deps.ts";
import { loadMigration, lockMigration, pendingShardIds, tenantOf, TERMINAL_STATES } from "./migration-row.ts";
import { advanceMigration } from "./advance.ts";
import { OrderCheck } from "./listing.ts";
import { parseMigrationOptions, selectionOf } from "./options.ts";

export interface PlanOptions {
  /** Stops the listing between pages/shards; what is cut stays cut and a re-run resumes. */
  signal?: AbortSignal;
  /** Source listing page size (tests use small pages). */
  pageSize?: number;
}

export type PlanOutcome =
  | { status: "planned"; shards: number; objects: number; bytes: number }
  | { status: "stopped"; reason: "aborted" | "paused" | "cancelled" | "superseded" | "already-complete" };

/** Raised inside the cut transaction when another planner (or a transition) moved the row on. */
class Superseded extends Error {
  constructor(readonly reason: "paused" | "cancelled" | "superseded") {
    super(reason);
  }
}

export async function planPass(deps: EngineDeps, migrationId: string, options: PlanOptions = {}): Promise<PlanOutcome> {
  const m = await loadMigration(deps.db, migrationId);
  if (TERMINAL_STATES.includes(m.state)) return { status: "stopped", reason: "cancelled" };
  if (m.paused) return { status: "stopped", reason: "paused" };
  const tenant = tenantOf(deps.db, m.organizationId);
  const pass = m.pass;

  // A planner that died between committing a shard and queueing it: queue every pending shard again (queues dedupe).
  for await (const id of pendingShardIds(deps.db, m.organizationId, migrationId, pass)) {
    await deps.enqueueShard({ id, migrationId, organizationId: m.organizationId });
  }
  if (m.planComplete) {
    await advanceMigration(deps, migrationId);
    return { status: "stopped", reason: "already-complete" };
  }

  if (m.startedAt === null) await tenant.migrations.updateMany({ where: { id: migrationId, startedAt: null }, data: { startedAt: new Date() } });

  const opts = parseMigrationOptions(m.options);
  const selection = selectionOf(opts);
  const maxListed = Math.max(opts.shard.maxObjects * 10, 10_000);
  const store = deps.openStore(m.sourceAccount);

  let index = m.plannedShards;
  let startAfter = m.planCursor;
  let lastKey = m.planCursor;
  let objects = 0;
  let bytes = 0;
  let listed = 0;
  let total = { shards: 0, objects: 0, bytes: 0 };

  const cut = async (endKey: string | null, final: boolean) => {
    const shard = await deps.db.$transaction(async (tx) => {
      const row = await lockMigration(tx, migrationId);
      if (!row || TERMINAL_STATES.includes(row.state)) throw new Superseded("cancelled");
      if (row.paused) throw new Superseded("paused");
      // Compare-and-set on the plan position: a second planner of the same pass stops here.
      if (row.pass !== pass || row.planComplete || row.plannedShards !== index) throw new Superseded("superseded");
      const t = tenantOf(tx, m.organizationId);
      const created = await t.migrationShards.upsert({
        where: { migrationId_pass_index: { migrationId, pass, index } },
        create: { organizationId: m.organizationId, migrationId, pass, index, startAfter, endKey, plannedObjects: objects, plannedBytes: BigInt(bytes) },
        update: {},
        select: { id: true },
      });
      await t.migrations.update({
        where: { id: migrationId },
        data: {
          planCursor: endKey ?? lastKey,
          plannedShards: index + 1,
          plannedObjects: { increment: objects },
          plannedBytes: { increment: BigInt(bytes) },
          planComplete: final,
          ...(row.state === "PLANNING" ? { state: "COPYING" as const } : {}),
        },
      });
      return created;
    });
    await deps.enqueueShard({ id: shard.id, migrationId, organizationId: m.organizationId });
    total = { shards: total.shards + 1, objects: total.objects + objects, bytes: total.bytes + bytes };
    index++;
    startAfter = endKey;
    objects = 0;
    bytes = 0;
    listed = 0;
  };

  const order = new OrderCheck(m.sourceBucket);
  try {
    const listing = store.listObjects(m.sourceBucket, { prefix: m.sourcePrefix || undefined, startAfter: m.planCursor ?? undefined, pageSize: options.pageSize, signal: options.signal });
    for await (const page of listing) {
      for (const object of page.objects) {
        order.next(object.key);
        lastKey = object.key;
        listed++;
        if (selection.matches({ key: relativeKey(object.key, m.sourcePrefix), size: object.size, lastModified: object.lastModified })) {
          objects++;
          bytes += object.size;
        }
        if (objects >= opts.shard.maxObjects || bytes >= opts.shard.maxBytes || listed >= maxListed) {
          await cut(object.key, false);
          if (options.signal?.aborted) return { status: "stopped", reason: "aborted" };
        }
      }
      if (options.signal?.aborted) return { status: "stopped", reason: "aborted" };
    }
    // The last shard is open-ended, so later passes also see destination extras past the last source key.
    await cut(null, true);
  } catch (error) {
    if (error instanceof Superseded) return { status: "stopped", reason: error.reason };
    if (options.signal?.aborted) return { status: "stopped", reason: "aborted" };
    await tenant.migrations.updateMany({ where: { id: migrationId }, data: { lastError: `Planning failed: ${messageOf(error)}` } });
    throw error;
  } finally {
    await store.close();
  }
  await advanceMigration(deps, migrationId);
  return { status: "planned", ...total };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// What the engine needs from its host: the worker passes BullMQ-backed queues, tests pass in-memory ones.
import type { Db, StorageAccount } from "@crossdock/db";
import type { ObjectStore } from "@crossdock/providers";
import type { FleetLimits } from "./fleet-limits.ts";

export interface ShardJob {
  id: string;
  migrationId: string;
  organizationId: string;
}

export interface EngineDeps {
  db: Db;
  /**
   * Opens a store for an account (the worker decrypts its secret and attaches the account's fleet-wide request
   * limiter, limits.requests(account); tests map ids to emulator configs).
   */
  openStore(account: StorageAccount): ObjectStore;
  /** Queue the planner of the migration's current pass. Must tolerate duplicates (e.g. job id = migration id + pass). */
  enqueuePlan(migrationId: string): Promise<void>;
  /** Queue one shard. Must tolerate duplicates (job id = shard id): a shard refuses to run twice at once. */
  enqueueShard(shard: ShardJob): Promise<void>;
  /** Limits shared with the rest of the fleet (Redis in workers). Without it a bandwidth cap applies per shard run. */
  limits?: FleetLimits;
}

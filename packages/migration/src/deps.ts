// What the engine needs from its host: the worker passes BullMQ-backed queues, tests pass in-memory ones.
import type { Db, StorageAccount } from "@crossdock/db";
import type { ObjectStore } from "@crossdock/providers";

export interface ShardJob {
  id: string;
  migrationId: string;
  organizationId: string;
}

export interface EngineDeps {
  db: Db;
  /** Opens a store for an account (the worker decrypts its secret; tests map ids to emulator configs). */
  openStore(account: StorageAccount): ObjectStore;
  /** Queue the planner of the migration's current pass. Must tolerate duplicates (e.g. job id = migration id + pass). */
  enqueuePlan(migrationId: string): Promise<void>;
  /** Queue one shard. Must tolerate duplicates (job id = shard id): a shard refuses to run twice at once. */
  enqueueShard(shard: ShardJob): Promise<void>;
}

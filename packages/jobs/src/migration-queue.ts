import { Queue } from "bullmq";
import type { Redis } from "ioredis";

/** Migration work has its own queue: long shard jobs never hold up short jobs (welcome notes, sweeps). */
export const MIGRATION_QUEUE = "crossdock-migrations";

export type MigrationJobData =
  | { kind: "plan"; migrationId: string }
  | { kind: "shard"; migrationId: string; organizationId: string; shardId: string }
  | { kind: "recover" };

export function createMigrationQueue(connection: Redis, prefix: string) {
  return new Queue<MigrationJobData>(MIGRATION_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: "exponential", delay: 5_000 },
      // The database holds every outcome; finished jobs leave so a shard or plan can be queued again by id.
      removeOnComplete: true,
      removeOnFail: true,
    },
  });
}

/** The engine's enqueue callbacks over BullMQ. Job ids make duplicates harmless: a queued shard is queued once. */
export function migrationEnqueuers(queue: Queue<MigrationJobData>) {
  return {
    enqueuePlan: async (migrationId: string) => {
      await queue.add("plan", { kind: "plan", migrationId }, { jobId: `plan-${migrationId}` });
    },
    enqueueShard: async (shard: { id: string; migrationId: string; organizationId: string }) => {
      await queue.add("shard", { kind: "shard", migrationId: shard.migrationId, organizationId: shard.organizationId, shardId: shard.id }, { jobId: `shard-${shard.id}` });
    },
  };
}

// Wires the migration engine (@crossdock/migration) to BullMQ: plan and shard jobs, and a fleet-wide
// recovery sweep that re-queues shards whose worker died.
import { Queue, Worker } from "bullmq";
import { MIGRATION_QUEUE, createMigrationQueue, migrationEnqueuers, type MigrationJobData } from "@crossdock/jobs";
import { planPass, recoverMigration, redisFleetLimits, runShard, type EngineDeps } from "@crossdock/migration";
import { openAccountStore } from "@crossdock/storage";
import type { QueueWorkerOptions } from "./queue-worker.ts";

const RECOVER_EVERY_MS = Number(process.env.MIGRATION_RECOVER_MS ?? 30_000);
const ACTIVE_STATES = ["PLANNING", "COPYING", "VERIFYING", "SYNCING"] as const;

export class ShutdownInterrupted extends Error {
  constructor() {
    super("The worker is shutting down; the shard resumes on another worker.");
    this.name = "ShutdownInterrupted";
  }
}

export function startMigrationWorker({ db, connection, queueConnection, prefix, concurrency, lockDuration, log }: QueueWorkerOptions & { concurrency: number }) {
  const queue: Queue<MigrationJobData> = createMigrationQueue(queueConnection, prefix);
  // Request rates per storage account and bandwidth caps per migration, shared by every worker through Redis.
  const limits = redisFleetLimits({ eval: (script, keys, ...args) => queueConnection.eval(script, keys, ...args) }, prefix);
  const deps: EngineDeps = {
    db,
    // Workers are patient with providers: throttling and blips are retried with backoff (and slow the whole
    // fleet's requests to that account down), not failed.
    openStore: (account) => openAccountStore(account, { retry: { maxAttempts: 8, maxDelayMs: 30_000 } }, { limiter: limits.requests(account) }),
    limits,
    ...migrationEnqueuers(queue),
  };
  const shutdown = new AbortController();

  const worker = new Worker<MigrationJobData>(
    MIGRATION_QUEUE,
    async (job) => {
      const data = job.data;
      if (data.kind === "recover") {
        const active = await db.migration.findMany({ where: { state: { in: [...ACTIVE_STATES] }, paused: false }, select: { id: true } });
        for (const m of active) await recoverMigration(deps, m.id);
        return { recovered: active.length };
      }
      if (data.kind === "plan") {
        const outcome = await planPass(deps, data.migrationId, { signal: shutdown.signal });
        if (outcome.status === "stopped" && outcome.reason === "aborted") throw new ShutdownInterrupted();
        return outcome;
      }
      const outcome = await runShard(deps, data.shardId, { signal: shutdown.signal });
      // Back to the queue (BullMQ retries it) rather than finishing a shard that is not done.
      if (outcome.status === "stopped" && outcome.reason === "aborted") throw new ShutdownInterrupted();
      return outcome;
    },
    { connection, prefix, concurrency, lockDuration, stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)), maxStalledCount: 10 },
  );
  worker.on("failed", (job, error) => log(`migration ${job?.name} ${job?.id} failed: ${error.message}`));
  worker.on("error", (error) => log(`migration worker error: ${error.message}`));

  // One sweep for the whole fleet (a job scheduler, not a timer per process).
  void queue.upsertJobScheduler("recover-migrations", { every: RECOVER_EVERY_MS }, { name: "recover", data: { kind: "recover" } });

  return {
    async close() {
      shutdown.abort();
      await worker.close();
      await queue.close();
    },
  };
}

// A stateless worker process: any number of them can run against the same Redis and PostgreSQL.
import { Worker } from "bullmq";
import { parseEnv } from "@crossdock/config";
import { createDb } from "@crossdock/db";
import { QUEUE_NAME, createRedis, runJob, type JobData } from "@crossdock/jobs";
import { startMigrationWorker } from "./migrations.ts";
import { startEnclaveWorker } from "./enclaves.ts";
import { startBillingWorker } from "./billing.ts";

const env = parseEnv(process.env, ["DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "WORKER_CONCURRENCY"]);
// How long a job stays owned by a worker that stops answering (killed, frozen) before another takes it.
const lockDuration = Number(process.env.WORKER_LOCK_MS ?? 30_000);

const db = createDb(env.DATABASE_URL, { max: env.WORKER_CONCURRENCY + 2 });
const connection = createRedis(env.REDIS_URL, { blocking: true });
const queueConnection = createRedis(env.REDIS_URL);
// Shards copy many objects each (with their own per-object concurrency): a few at a time per process.
const shardConcurrency = Number(process.env.MIGRATION_SHARD_CONCURRENCY ?? 2);
// Migration jobs get a pool of their own, so general jobs and shards never starve each other of connections.
// A running shard uses up to three at once (a batch of outcomes being recorded, the record lookup of the next
// listing chunk, a heartbeat); on top: the planner, advance transactions and the recovery sweep.
const migrationDbMax = Number(process.env.MIGRATION_DB_POOL_MAX ?? shardConcurrency * 3 + 4);
const migrationDb = createDb(env.DATABASE_URL, { max: migrationDbMax });

const worker = new Worker<JobData>(
  QUEUE_NAME,
  async (job) => {
    // attemptsStarted also counts runs cut short by a crash (stalled jobs), not only failed ones.
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return runJob({ db, progress: (p) => job.updateProgress(p) }, job.data, job.attemptsStarted, finalAttempt);
  },
  {
    connection,
    prefix: env.REDIS_PREFIX,
    concurrency: env.WORKER_CONCURRENCY,
    lockDuration,
    stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)),
    maxStalledCount: 3,
  },
);

const migrations = startMigrationWorker({ db: migrationDb, connection: createRedis(env.REDIS_URL, { blocking: true }), queueConnection, prefix: env.REDIS_PREFIX, concurrency: shardConcurrency, lockDuration, log });

const enclaves = startEnclaveWorker({ db, connection: createRedis(env.REDIS_URL, { blocking: true }), queueConnection, prefix: env.REDIS_PREFIX, lockDuration, log });
const billing = startBillingWorker({ db, connection: createRedis(env.REDIS_URL, { blocking: true }), queueConnection, prefix: env.REDIS_PREFIX, lockDuration, log });

worker.on("ready", () => log(`ready: queue ${QUEUE_NAME}, prefix ${env.REDIS_PREFIX}, concurrency ${env.WORKER_CONCURRENCY}`));
worker.on("active", (job) => log(`started ${job.name} ${job.id}`));
worker.on("completed", (job) => log(`completed ${job.name} ${job.id}`));
worker.on("failed", (job, error) => log(`failed ${job?.name} ${job?.id}: ${error.message}`));
worker.on("error", (error) => log(`error: ${error.message}`));

function log(message: string) {
  console.log(`[worker ${process.pid}] ${message}`);
}

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log(`${signal}: finishing running jobs, taking no new ones`);
  // close() waits for active jobs; anything it cannot finish stays in Redis and another worker resumes it.
  await Promise.all([worker.close(), migrations.close(), enclaves.close(), billing.close()]);
  await Promise.all([db.$disconnect(), migrationDb.$disconnect()]);
  connection.disconnect();
  queueConnection.disconnect();
  log("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

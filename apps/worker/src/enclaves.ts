// Wires enclave jobs (@crossdock/enclaves) to BullMQ: materialization, teardown, and a fleet-wide sweep
// (a job scheduler, not a timer per process) that queues the teardown of every enclave past its end.
import { Worker } from "bullmq";
import { clock, platformSigningKey, runEnclaveJob, type EnclaveDeps } from "@crossdock/enclaves";
import { ENCLAVE_QUEUE, createEnclaveQueue, enclaveEnqueuers, type EnclaveJobData } from "@crossdock/jobs";
import { openAccountStore } from "@crossdock/storage";
import type { QueueWorkerOptions } from "./queue-worker.ts";

const SWEEP_EVERY_MS = Number(process.env.ENCLAVE_SWEEP_MS ?? 60_000);

export function startEnclaveWorker({ db, connection, queueConnection, prefix, lockDuration, log }: QueueWorkerOptions) {
  const queue = createEnclaveQueue(queueConnection, prefix);
  const deps: EnclaveDeps = {
    db,
    clock: clock(),
    openStore: (account) => openAccountStore(account, { retry: { maxAttempts: 8, maxDelayMs: 30_000 } }),
    signingKey: platformSigningKey(),
    ...enclaveEnqueuers(queue),
  };
  const worker = new Worker<EnclaveJobData>(ENCLAVE_QUEUE, (job) => runEnclaveJob(deps, job.data), {
    connection,
    prefix,
    concurrency: 2,
    lockDuration,
    stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)),
    maxStalledCount: 5,
  });
  worker.on("completed", (job, result) => {
    if (job.data.kind !== "sweep" || (result as { queued?: number })?.queued) log(`enclave ${job.name} ${job.id}: ${JSON.stringify(result)}`);
  });
  worker.on("failed", (job, error) => log(`enclave ${job?.name} ${job?.id} failed: ${error.message}`));
  worker.on("error", (error) => log(`enclave worker error: ${error.message}`));
  void queue.upsertJobScheduler("enclave-sweep", { every: SWEEP_EVERY_MS }, { name: "sweep", data: { kind: "sweep" } });
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}

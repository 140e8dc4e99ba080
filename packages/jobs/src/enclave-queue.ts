import { Queue } from "bullmq";
import type { Redis } from "ioredis";

/** Enclave work: contribution materialization, teardown, and the sweep that finds enclaves past their end. */
export const ENCLAVE_QUEUE = "crossdock-enclaves";

export type EnclaveJobData = { kind: "sweep" } | { kind: "teardown"; enclaveId: string } | { kind: "materialize"; contributionId: string };

export function createEnclaveQueue(connection: Redis, prefix: string) {
  return new Queue<EnclaveJobData>(ENCLAVE_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: "exponential", delay: 3_000 },
      // The database holds every outcome; finished jobs leave so the same id can be queued again.
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

/** Job ids make duplicates harmless: a contribution or a teardown is queued once at a time. */
export function enclaveEnqueuers(queue: Queue<EnclaveJobData>) {
  return {
    enqueueMaterialize: async (contributionId: string) => {
      await queue.add("materialize", { kind: "materialize", contributionId }, { jobId: `materialize-${contributionId}` });
    },
    enqueueTeardown: async (enclaveId: string) => {
      await queue.add("teardown", { kind: "teardown", enclaveId }, { jobId: `teardown-${enclaveId}` });
    },
  };
}

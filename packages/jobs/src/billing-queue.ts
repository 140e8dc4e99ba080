import { Queue } from "bullmq";
import type { Redis } from "ioredis";

/** Inventory scans and invoice finalization: long listings never hold up short jobs or migration shards. */
export const BILLING_QUEUE = "crossdock-billing";

export type BillingJobData =
  /** Fleet-wide, on a schedule: queue an inventory scan of every storage account. */
  | { kind: "inventory-sweep" }
  /** Scan every bucket of one account (resumes a scan cut short). */
  | { kind: "inventory-account"; organizationId: string; accountId: string }
  /** Fleet-wide, on a schedule: finalize the invoices of closed months. */
  | { kind: "close-months" };

export function createBillingQueue(connection: Redis, prefix: string) {
  return new Queue<BillingJobData>(BILLING_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: "exponential", delay: 10_000 },
      // Outcomes live in the database; a finished job leaves so the same account can be queued again by id.
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600 },
    },
  });
}

/** One queued scan per account at a time: the job id is the account's. */
export async function enqueueInventoryScan(queue: Queue<BillingJobData>, account: { id: string; organizationId: string }) {
  await queue.add("inventory-account", { kind: "inventory-account", organizationId: account.organizationId, accountId: account.id }, { jobId: `inventory-${account.id}` });
}

// Wires @crossdock/billing to BullMQ: scheduled inventory scans of every storage account (and "refresh now" scans the
// web app queues), and month-close invoice finalization. Both handlers are idempotent: a scan resumes from its
// cursor, a finalized month is found and left alone.
import { Queue, Worker } from "bullmq";
import { BILLING_QUEUE, createBillingQueue, enqueueInventoryScan, type BillingJobData } from "@crossdock/jobs";
import { compactInventoryHistory, finalizeClosedMonths, scanAccount } from "@crossdock/billing";
import { openAccountStore } from "@crossdock/storage";
import type { QueueWorkerOptions } from "./queue-worker.ts";

const SCAN_EVERY_MS = Number(process.env.INVENTORY_SCAN_EVERY_MS ?? 6 * 3600_000);
const CLOSE_EVERY_MS = Number(process.env.BILLING_CLOSE_EVERY_MS ?? 3600_000);
const MAX_PAGES_PER_SECOND = Number(process.env.INVENTORY_MAX_PAGES_PER_SEC ?? 20);

export function startBillingWorker({ db, connection, queueConnection, prefix, lockDuration, log }: QueueWorkerOptions) {
  const queue: Queue<BillingJobData> = createBillingQueue(queueConnection, prefix);
  const shutdown = new AbortController();

  const worker = new Worker<BillingJobData>(
    BILLING_QUEUE,
    async (job) => {
      const data = job.data;
      if (data.kind === "inventory-sweep") {
        const compacted = await compactInventoryHistory(db);
        const accounts = await db.storageAccount.findMany({ select: { id: true, organizationId: true } });
        for (const account of accounts) await enqueueInventoryScan(queue, account);
        return { queued: accounts.length, compacted };
      }
      if (data.kind === "close-months") return { finalized: await finalizeClosedMonths(db) };
      const account = await db.storageAccount.findFirst({ where: { id: data.accountId, organizationId: data.organizationId } });
      if (!account) return { skipped: "account no longer exists" };
      // Patient with providers: throttling is retried with backoff; listing requests are paced on top.
      const store = openAccountStore(account, { retry: { maxAttempts: 8, maxDelayMs: 30_000 } });
      try {
        const outcomes = await scanAccount(db, account, store, { maxPagesPerSecond: MAX_PAGES_PER_SECOND, signal: shutdown.signal });
        return { buckets: outcomes.length, failed: outcomes.filter((o) => o.status === "failed").length };
      } finally {
        await store.close();
      }
    },
    { connection, prefix, concurrency: 2, lockDuration, stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)), maxStalledCount: 5 },
  );
  worker.on("failed", (job, error) => log(`billing ${job?.name} ${job?.id} failed: ${error.message}`));
  worker.on("error", (error) => log(`billing worker error: ${error.message}`));

  // One schedule for the whole fleet (job schedulers, not timers per process).
  void queue.upsertJobScheduler("inventory-sweep", { every: SCAN_EVERY_MS }, { name: "inventory-sweep", data: { kind: "inventory-sweep" } });
  void queue.upsertJobScheduler("close-months", { every: CLOSE_EVERY_MS }, { name: "close-months", data: { kind: "close-months" } });

  return {
    async close() {
      shutdown.abort();
      await worker.close();
      await queue.close();
    },
  };
}

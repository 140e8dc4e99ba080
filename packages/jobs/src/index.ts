export * from "./definitions.ts";
export { createQueue, enqueueJob, type EnqueueOptions } from "./enqueue.ts";
export { createRedis } from "./redis.ts";
export { runJob, type JobContext } from "./handlers.ts";
export { MIGRATION_QUEUE, createMigrationQueue, migrationEnqueuers, type MigrationJobData } from "./migration-queue.ts";
export { ENCLAVE_QUEUE, createEnclaveQueue, enclaveEnqueuers, type EnclaveJobData } from "./enclave-queue.ts";
export { BILLING_QUEUE, createBillingQueue, enqueueInventoryScan, type BillingJobData } from "./billing-queue.ts";

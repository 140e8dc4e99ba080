// @crossdock/migration: the migration engine as plain functions (the worker wires them to queues).
export type { EngineDeps, ShardJob } from "./deps.ts";
export { migrationOptionsSchema, parseMigrationOptions, serializeMigrationOptions, selectionOf, GiB, type MigrationOptions, type MigrationOptionsInput } from "./options.ts";
export { planPass, type PlanOptions, type PlanOutcome } from "./plan.ts";
export { runShard, type RunShardOptions, type ShardOutcome, type ShardCounts } from "./shard.ts";
export {
  advanceMigration,
  requestCutover,
  pauseMigration,
  resumeMigration,
  cancelMigration,
  retryFailed,
  recoverMigration,
  MigrationCommandError,
  MAX_SHARD_ATTEMPTS,
  SHARD_LEASE_MS,
  type AdvanceOutcome,
  type MigrationCommandErrorKind,
} from "./advance.ts";
export { copyAndVerify, VerificationError, VERIFY_ATTEMPTS, type CopyRequest, type CopyOutcome } from "./copy.ts";
export { MigrationNotFoundError, destinationKey } from "./migration-row.ts";
export { ListingOrderError } from "./listing.ts";
export { migrationProgress, type MigrationProgress, type PassProgress, type ShardProgress, type FailedObject, type Counters, type ProgressOptions } from "./progress.ts";
export { migrationReport, reportToCsv, reportToJsonLines, REPORT_COLUMNS, type ReportRow, type ReportOptions, type ObjectResultName } from "./report.ts";
export { dryRun, egressPricePerGB, DEFAULT_EGRESS_PRICES, type DryRunInput, type DryRunEstimate, type EgressPriceTable } from "./dry-run.ts";
export { redisFleetLimits, localFleetLimits, accountRequestRate, SharedTokenBucket, type FleetLimits, type RedisEval } from "./fleet-limits.ts";
export type { ByteBudget } from "./throttle.ts";

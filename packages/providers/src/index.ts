// @crossdock/providers: one ObjectStore interface over S3, Azure Blob, GCS and local disk.
// Only this module's light parts load eagerly: each cloud SDK is imported when a store of it first makes a
// request (lazy-store.ts). Import the store classes themselves from their files (./s3/s3-store.ts...).
import { objectStoreConfigSchema, type ObjectStoreConfigInput } from "./config.ts";
import { LazyObjectStore, loadObjectStore } from "./lazy-store.ts";
import { LocalObjectStore } from "./local/local-store.ts";
import type { StoreRuntime } from "./limiter.ts";
import type { ObjectStore } from "./object-store.ts";

export type * from "./object-store.ts";
export { attachmentDisposition } from "./object-store.ts";
export * from "./config.ts";
export { describeCapabilities } from "./capabilities.ts";
export { ObjectStoreError, isObjectStoreError, ERROR_KINDS, type ErrorKind } from "./errors.ts";
export { DEFAULT_RETRY_POLICY, backoffDelay, sleep, withRetry, type RetryPolicy } from "./retry.ts";
export { ContentHasher, HashingStream, StreamingHasher, crc32c, crc32cHex, crc32cUpdate } from "./hashing.ts";
export { validateKey, assertValidKey, compareKeys, MAX_KEY_BYTES, type KeyProblem, type KeyProblemCode } from "./keys.ts";
export { adaptMetadata, METADATA_RULES, type MetadataIssue, type MetadataRules } from "./metadata.ts";
export { transferObject, type TransferEndpoint, type TransferOptions, type TransferResult } from "./transfer.ts";
export { LocalObjectStore } from "./local/local-store.ts";
export { LazyObjectStore } from "./lazy-store.ts";
export { accountIdOf } from "./account-id.ts";
export { DEFAULT_REQUESTS_PER_SECOND, type RequestLimiter, type StoreRuntime } from "./limiter.ts";

/**
 * Validates `config` (throws a ZodError listing every problem) and opens the matching store. Cloud stores load
 * their SDK on their first request.
 */
export function openObjectStore(config: ObjectStoreConfigInput, runtime: StoreRuntime = {}): ObjectStore {
  const parsed = objectStoreConfigSchema.parse(config);
  return parsed.provider === "local" ? new LocalObjectStore(parsed) : new LazyObjectStore(parsed, runtime);
}

/** Validates `config` and returns the provider's own store class, its SDK loaded (benchmarks reach for `.client`). */
export function openObjectStoreNow(config: ObjectStoreConfigInput, runtime: StoreRuntime = {}): Promise<ObjectStore> {
  return loadObjectStore(objectStoreConfigSchema.parse(config), runtime);
}

// @crossdock/providers: one ObjectStore interface over S3, Azure Blob, GCS and local disk.
import { AzureObjectStore } from "./azure/azure-store.ts";
import { objectStoreConfigSchema, type ObjectStoreConfigInput } from "./config.ts";
import { GcsObjectStore } from "./gcs/gcs-store.ts";
import { LocalObjectStore } from "./local/local-store.ts";
import type { ObjectStore } from "./object-store.ts";
import { S3ObjectStore } from "./s3/s3-store.ts";

export type * from "./object-store.ts";
export { attachmentDisposition } from "./object-store.ts";
export * from "./config.ts";
export { describeCapabilities } from "./capabilities.ts";
export { ObjectStoreError, isObjectStoreError, ERROR_KINDS, type ErrorKind } from "./errors.ts";
export { DEFAULT_RETRY_POLICY, backoffDelay, withRetry, type RetryPolicy } from "./retry.ts";
export { ContentHasher, HashingStream, crc32c, crc32cHex, crc32cUpdate } from "./hashing.ts";
export { validateKey, assertValidKey, compareKeys, MAX_KEY_BYTES, type KeyProblem, type KeyProblemCode } from "./keys.ts";
export { adaptMetadata, METADATA_RULES, type MetadataIssue, type MetadataRules } from "./metadata.ts";
export { transferObject, type TransferEndpoint, type TransferOptions, type TransferResult } from "./transfer.ts";
export { S3ObjectStore, type S3StoreOptions } from "./s3/s3-store.ts";
export { AzureObjectStore } from "./azure/azure-store.ts";
export { GcsObjectStore } from "./gcs/gcs-store.ts";
export { LocalObjectStore } from "./local/local-store.ts";

/** Validates `config` (throws a ZodError listing every problem) and opens the matching store. */
export function openObjectStore(config: ObjectStoreConfigInput): ObjectStore {
  const parsed = objectStoreConfigSchema.parse(config);
  switch (parsed.provider) {
    case "s3":
      return new S3ObjectStore(parsed);
    case "azure":
      return new AzureObjectStore(parsed);
    case "gcs":
      return new GcsObjectStore(parsed);
    case "local":
      return new LocalObjectStore(parsed);
  }
}

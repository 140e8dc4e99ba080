// The one interface every storage provider implements; the migration engine and the web app only see this.
import type { Readable } from "node:stream";
import type { MetadataIssue } from "./metadata.ts";
import type { RetryPolicy } from "./retry.ts";

export type ProviderName = "s3" | "azure" | "gcs" | "local";

/** Content digests as lowercase hex (MD5: 32 chars, CRC32C: 8 chars, big-endian). */
export interface ContentHashes {
  md5?: string;
  crc32c?: string;
}

export type HashName = keyof ContentHashes;

export interface BucketInfo {
  name: string;
  createdAt?: Date;
}

/** Standard headers that travel with an object, plus free-form user metadata. */
export interface ObjectMetadata {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  /** User metadata; names compare case-insensitively on S3 and Azure. */
  userMetadata?: Record<string, string>;
}

export interface ObjectSummary {
  key: string;
  size: number;
  lastModified?: Date;
  /** Opaque change token (S3/Azure ETag without quotes; GCS etag). */
  etag?: string;
  /** Storage class / access tier as the listing reports it (S3 StorageClass, Azure access tier, GCS storageClass). */
  storageClass?: string;
}

export interface ObjectInfo extends ObjectSummary {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  userMetadata: Record<string, string>;
  /** GCS generation, S3 version id or Azure version id, when the provider has one. */
  version?: string;
  /** Only digests of the whole content that the provider vouches for (never a multipart ETag). */
  hashes: ContentHashes;
}

export interface ListOptions {
  prefix?: string;
  /** Groups keys sharing the part up to the next delimiter after `prefix` into `commonPrefixes`. */
  delimiter?: string;
  /** Only keys strictly after this one (the migration engine cuts shards with it). */
  startAfter?: string;
  /** Upper bound of entries per page (provider maximum applies). Default 1000. */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface ObjectPage {
  objects: ObjectSummary[];
  commonPrefixes: string[];
}

export interface ByteRange {
  offset: number;
  /** Bytes to read from `offset`; clamped at the end of the object; omitted = to the end. */
  length?: number;
}

export interface ReadOptions {
  range?: ByteRange;
  signal?: AbortSignal;
}

/** What any GET response carries; call headObject for user metadata. */
export interface ObjectReadResult {
  body: Readable;
  /** Bytes the body will yield. */
  contentLength: number;
  /** Size of the whole object. */
  size: number;
  etag?: string;
  version?: string;
  contentType?: string;
  /** Digests of the whole object (not of the range), when the response carries trusted ones. */
  hashes: ContentHashes;
  /** The object's standard headers and user metadata, where the GET response carries them (capabilities.readCarriesMetadata). */
  metadata?: ObjectMetadata;
}

export type WriteBody = Readable | AsyncIterable<Uint8Array> | Uint8Array | string;

export interface WriteOptions extends ObjectMetadata {
  /** Bytes per part / block / chunk for large objects. Bounded memory: about partSize x (concurrency + 1). */
  partSize?: number;
  /** Parts uploaded at once. */
  concurrency?: number;
  /** Expected digests (e.g. from the source); a mismatch fails the write with kind Permanent. */
  expectedHashes?: ContentHashes;
  signal?: AbortSignal;
}

export interface WriteResult {
  key: string;
  size: number;
  etag?: string;
  version?: string;
  /** Digests computed while streaming the body. */
  hashes: Required<ContentHashes>;
  /** Metadata that had to be renamed or dropped for this provider. */
  metadataIssues: MetadataIssue[];
  /** Parts used (1 = single request). */
  parts: number;
}

export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface CopyOptions {
  /** Replace metadata on the copy instead of carrying the source's. */
  metadata?: ObjectMetadata;
  signal?: AbortSignal;
}

export interface CopyResult {
  key: string;
  etag?: string;
  /** true when the provider copied the bytes itself. */
  serverSide: boolean;
  metadataIssues: MetadataIssue[];
}

export interface DeleteManyResult {
  deleted: string[];
  errors: { key: string; error: Error }[];
}

export type HashAvailability =
  | "always"
  /** S3: the ETag is the MD5 only for single-part, non-KMS uploads. */
  | "single-part-only"
  /** Azure: Content-MD5 exists when the writer set it (this library always does). */
  | "when-set"
  | "never";

export interface ProviderCapabilities {
  provider: ProviderName;
  displayName: string;
  /** Can this library create buckets/containers. */
  createBucket: boolean;
  batchDelete: boolean;
  /** Listing honours start-after on the server; otherwise it is filtered client side (costs the skipped pages). */
  nativeStartAfter: boolean;
  /** Server-side copy within one account. */
  serverSideCopy: boolean;
  /** A GET response carries the object's user metadata and standard headers (ObjectReadResult.metadata): no HEAD needed. */
  readCarriesMetadata: boolean;
  /** Where a provider lists in an order other than UTF-8 byte order, say so. */
  listingOrder: "utf8-bytes";
  hashes: Record<HashName, HashAvailability>;
  maxKeyBytes: number;
  userMetadata: { maxTotalBytes: number; namePattern: string; caseInsensitive: boolean; asciiValuesOnly: boolean };
  multipart: { minPartSize: number; maxPartSize: number; maxParts: number };
}

export interface ObjectStore {
  readonly provider: ProviderName;
  /** Identifies the account/endpoint; equal ids allow server-side copy between the two stores. */
  readonly accountId: string;
  readonly capabilities: ProviderCapabilities;

  listBuckets(): Promise<BucketInfo[]>;
  /** Creates a bucket/container; succeeds when it already exists and is ours. */
  createBucket(bucket: string): Promise<void>;
  /** Deletes an empty bucket. */
  deleteBucket(bucket: string): Promise<void>;

  /** Pages of objects in key order; never holds the whole listing. */
  listObjects(bucket: string, options?: ListOptions): AsyncIterable<ObjectPage>;
  headObject(bucket: string, key: string): Promise<ObjectInfo>;
  readObject(bucket: string, key: string, options?: ReadOptions): Promise<ObjectReadResult>;
  writeObject(bucket: string, key: string, body: WriteBody, options?: WriteOptions): Promise<WriteResult>;
  /** Server-side copy inside this store (same account). */
  copyObject(source: ObjectRef, destination: ObjectRef, options?: CopyOptions): Promise<CopyResult>;
  /** Succeeds when the object is already gone. */
  deleteObject(bucket: string, key: string): Promise<void>;
  deleteObjects(bucket: string, keys: string[]): Promise<DeleteManyResult>;
  /**
   * A URL that reads one object without credentials for `expiresInSeconds` (S3 presigned URL, Azure SAS, GCS V4
   * signed URL), or null where this store cannot sign one (local disk, the GCS emulator, keyless accounts):
   * the caller then streams the object itself.
   */
  signedReadUrl(bucket: string, key: string, options: SignedUrlOptions): Promise<string | null>;
  close(): Promise<void>;
}

export interface SignedUrlOptions {
  /** Lifetime from now (the provider's clock, not an application clock). */
  expiresInSeconds: number;
  /** Offered as the download's file name (Content-Disposition: attachment). */
  filename?: string;
}

/** Content-Disposition for a download named `filename`, safe in a header and in signed-URL parameters. */
export function attachmentDisposition(filename: string) {
  return `attachment; filename="${filename.replace(/[^\x20-\x7e]|"/g, "_")}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export interface StoreCommonOptions {
  retry?: Partial<RetryPolicy>;
}

// Moves one object between any two stores: server-side inside one account, streamed (and verified) otherwise.
import { ObjectStoreError } from "./errors.ts";
import { assertValidKey } from "./keys.ts";
import { pickMetadata, type MetadataIssue } from "./metadata.ts";
import type { ContentHashes, HashName, ObjectInfo, ObjectMetadata, ObjectReadResult, ObjectStore } from "./object-store.ts";

export interface TransferEndpoint {
  store: ObjectStore;
  bucket: string;
  key: string;
}

export interface TransferOptions {
  partSize?: number;
  concurrency?: number;
  signal?: AbortSignal;
  /** Force streaming even when a server-side copy is possible (benchmarks, re-encryption). */
  forceStreaming?: boolean;
  /**
   * "all" (default): content type, the other standard headers and user metadata travel (from the GET response
   * where it carries them, S3; otherwise from a HEAD of the source sent alongside the GET). "content-type": only the content type the GET response carries travels, and the
   * source is not HEADed at all (a streamed copy is then one GET and one write). Server-side copies carry all.
   */
  metadata?: "all" | "content-type";
}

export interface TransferResult {
  serverSide: boolean;
  size?: number;
  /** Source digests that were compared with what streamed through and matched. */
  verified: HashName[];
  hashes?: ContentHashes;
  metadataIssues: MetadataIssue[];
  /** Streamed: the destination's ETag and the number of parts the write used (1 = a single request). */
  etag?: string;
  parts?: number;
}

/** HEAD + GET pairs tried before giving up on a source that keeps changing between the two. */
const CONSISTENT_READ_ATTEMPTS = 3;

/** Whether a HEAD and a GET saw the same version: by version id (GCS generation) when both have one, else by ETag. */
function sameVersion(info: ObjectInfo, read: ObjectReadResult): boolean {
  if (info.version !== undefined && read.version !== undefined) return info.version === read.version;
  return info.etag === undefined || read.etag === undefined || info.etag === read.etag;
}

/**
 * The source's metadata and a GET of its bytes, requested at once (one round trip instead of two). When the
 * object was replaced between the two (ETags differ) the pair is requested again, so the metadata written is
 * that of the bytes written.
 */
async function headAndRead(source: TransferEndpoint, signal?: AbortSignal): Promise<{ info: ObjectInfo; read: ObjectReadResult }> {
  for (let attempt = 1; ; attempt++) {
    const [head, get] = await Promise.allSettled([source.store.headObject(source.bucket, source.key), source.store.readObject(source.bucket, source.key, { signal })]);
    if (head.status === "rejected" || get.status === "rejected") {
      if (get.status === "fulfilled") get.value.body.destroy();
      // The HEAD's error first: it names the key (an ObjectNotFound the engine tells apart from a missing bucket).
      throw head.status === "rejected" ? head.reason : (get as PromiseRejectedResult).reason;
    }
    const info = head.value;
    const read = get.value;
    if (sameVersion(info, read)) return { info, read };
    read.body.destroy();
    if (attempt >= CONSISTENT_READ_ATTEMPTS) {
      throw new ObjectStoreError("Transient", `${source.bucket}/${source.key} kept changing while it was being read`, { provider: source.store.provider, bucket: source.bucket, key: source.key, code: "SourceChanged" });
    }
  }
}

export async function transferObject(source: TransferEndpoint, destination: TransferEndpoint, options: TransferOptions = {}): Promise<TransferResult> {
  assertValidKey(destination.key, destination.store.provider, destination.bucket);
  if (!options.forceStreaming && source.store.accountId === destination.store.accountId && source.store.capabilities.serverSideCopy) {
    const copied = await destination.store.copyObject(source, destination, { signal: options.signal });
    return { serverSide: true, verified: [], metadataIssues: copied.metadataIssues };
  }
  let metadata: ObjectMetadata;
  let read: ObjectReadResult;
  let expected: ContentHashes;
  if (options.metadata === "content-type") {
    // The GET carries the content type and the digests the provider vouches for: no HEAD needed.
    read = await source.store.readObject(source.bucket, source.key, { signal: options.signal });
    metadata = read.contentType === undefined ? {} : { contentType: read.contentType };
    expected = read.hashes;
  } else if (source.store.capabilities.readCarriesMetadata) {
    // The GET response carries every header and the user metadata: one request, and they belong to the bytes read.
    read = await source.store.readObject(source.bucket, source.key, { signal: options.signal });
    metadata = read.metadata ?? (read.contentType === undefined ? {} : { contentType: read.contentType });
    expected = read.hashes;
  } else {
    const both = await headAndRead(source, options.signal);
    read = both.read;
    metadata = pickMetadata(both.info);
    // The HEAD's digests first, as before: should the object change between the two responses unnoticed (no
    // ETag to compare), the write fails with BadDigest instead of pairing one version's metadata with another's bytes.
    expected = { ...read.hashes, ...both.info.hashes };
  }
  // writeObject fails with a Permanent BadDigest when a source digest disagrees with the streamed bytes.
  const written = await destination.store.writeObject(destination.bucket, destination.key, read.body, {
    ...metadata,
    expectedHashes: expected,
    partSize: options.partSize,
    concurrency: options.concurrency,
    signal: options.signal,
  });
  const verified = (Object.keys(expected) as HashName[]).filter((name) => expected[name] !== undefined);
  return { serverSide: false, size: written.size, verified, hashes: written.hashes, metadataIssues: written.metadataIssues, etag: written.etag, parts: written.parts };
}

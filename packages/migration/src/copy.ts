// Copies one object and proves it arrived: sizes always; with verify=hash the digests of what was read
// against what the destination reports (or, when it reports none, against a re-read of the destination).
// A streamed write whose own result already proves both (see writeProvesContent) is not HEADed again.
import { ContentHasher, isObjectStoreError, transferObject, type ContentHashes, type HashName, type ObjectStore } from "@crossdock/providers";

export interface CopyEndpoint {
  store: ObjectStore;
  bucket: string;
  key: string;
}

export interface CopyRequest {
  source: CopyEndpoint;
  destination: CopyEndpoint;
  preserveMetadata: boolean;
  verify: "size" | "hash";
  /** Copy + verify attempts when the bytes disagree. */
  maxAttempts?: number;
  signal?: AbortSignal;
}

export interface CopyOutcome {
  serverSide: boolean;
  size: number;
  hashes: ContentHashes;
  attempts: number;
}

/** Copy + verify attempts when the bytes disagree, unless a request says otherwise. */
export const VERIFY_ATTEMPTS = 3;

/** The destination does not hold what was read from the source. */
export class VerificationError extends Error {
  override readonly name = "VerificationError";
}

const HASH_NAMES: HashName[] = ["md5", "crc32c"];

async function hashObject(endpoint: CopyEndpoint, signal?: AbortSignal): Promise<Required<ContentHashes> & { size: number }> {
  const read = await endpoint.store.readObject(endpoint.bucket, endpoint.key, { signal });
  const hasher = new ContentHasher();
  for await (const chunk of read.body as AsyncIterable<Uint8Array>) hasher.update(chunk);
  return { ...hasher.digest(), size: hasher.bytes };
}

function differing(a: ContentHashes, b: ContentHashes): { common: HashName[]; bad: HashName[] } {
  const common = HASH_NAMES.filter((n) => a[n] !== undefined && b[n] !== undefined);
  return { common, bad: common.filter((n) => a[n] !== b[n]) };
}

function sameAccount(request: CopyRequest): boolean {
  const { source, destination } = request;
  return source.store.accountId === destination.store.accountId && source.store.capabilities.serverSideCopy;
}

interface Copied {
  serverSide: boolean;
  /** Streamed copies: the bytes read (and written), their digests, and what the write returned. */
  size?: number;
  hashes?: ContentHashes;
  etag?: string;
  parts?: number;
}

async function copyOnce(request: CopyRequest): Promise<Copied> {
  const { source, destination, signal } = request;
  if (!request.preserveMetadata && sameAccount(request)) {
    // Metadata dropped on request: keep only the content type, which is part of what the bytes mean.
    const info = await source.store.headObject(source.bucket, source.key);
    await destination.store.copyObject(source, destination, { metadata: { contentType: info.contentType }, signal });
    return { serverSide: true };
  }
  // Streamed without metadata: the GET's content type and digests are all it needs (no HEAD of the source).
  const result = await transferObject(source, destination, { signal, metadata: request.preserveMetadata ? "all" : "content-type" });
  return { serverSide: result.serverSide, size: result.size, hashes: result.hashes, etag: result.etag, parts: result.parts };
}

/**
 * Whether a streamed write's own result proves the destination holds the bytes we streamed (size and, for
 * verify=hash, the digests we computed on the way), so a HEAD of the destination would add nothing:
 * - S3, one request: the PUT carried our Content-MD5 (S3 refuses a body that does not match it) and the ETag S3
 *   returned, its MD5 of what it stored, equals ours. Multipart (ETag is no MD5) and SSE-KMS (ETag is no MD5, so
 *   the comparison fails) keep the HEAD.
 * - Azure: the Content-MD5 a HEAD reports is the one we set from the streamed bytes, and the size is what the
 *   request(s) carried (staged blocks also carry a transactional MD5 the service checks); the HEAD only echoes.
 * GCS and local disk keep the HEAD.
 */
function writeProvesContent(store: ObjectStore, copied: Copied): copied is Copied & { size: number; hashes: ContentHashes } {
  if (copied.serverSide || copied.size === undefined || copied.hashes?.md5 === undefined) return false;
  switch (store.provider) {
    case "s3":
      return copied.parts === 1 && copied.etag !== undefined && copied.etag.toLowerCase() === copied.hashes.md5;
    case "azure":
      return copied.parts !== undefined && copied.parts >= 1;
    default:
      return false;
  }
}

async function verifyCopy(request: CopyRequest, copied: Copied): Promise<{ size: number; hashes: ContentHashes }> {
  const { source, destination, signal } = request;
  if (writeProvesContent(destination.store, copied)) return { size: copied.size, hashes: { ...copied.hashes } };
  const head = await destination.store.headObject(destination.bucket, destination.key);
  // Streamed: the bytes we read are the reference. Server-side: what the source holds now.
  const sourceInfo = copied.size === undefined ? await source.store.headObject(source.bucket, source.key) : undefined;
  const expectedSize = copied.size ?? sourceInfo!.size;
  if (head.size !== expectedSize) throw new VerificationError(`Size mismatch after copy: the destination holds ${head.size} bytes, ${expectedSize} were expected`);
  if (request.verify === "size") return { size: head.size, hashes: { ...(copied.hashes ?? sourceInfo?.hashes ?? {}) } };

  let expected: ContentHashes = copied.hashes ?? sourceInfo?.hashes ?? {};
  if (HASH_NAMES.every((n) => expected[n] === undefined)) {
    const read = await hashObject(source, signal);
    expected = { md5: read.md5, crc32c: read.crc32c };
  }
  const reported = differing(expected, head.hashes);
  if (reported.bad.length > 0) throw new VerificationError(`Checksum mismatch after copy: ${reported.bad.join(", ")} of the destination differs from the source`);
  if (reported.common.length === 0) {
    // The destination vouches for no digest (e.g. an S3 multipart upload): read it back.
    const reread = await hashObject(destination, signal);
    const bad = differing(expected, reread).bad;
    if (bad.length > 0 || reread.size !== expectedSize) throw new VerificationError(`Checksum mismatch on re-reading the destination: ${bad.join(", ") || "size"} differs from the source`);
  }
  return { size: head.size, hashes: { ...expected, ...head.hashes } };
}

export function isMismatch(error: unknown): boolean {
  return error instanceof VerificationError || (isObjectStoreError(error) && error.code === "BadDigest");
}

/** Copies, verifies, and on a mismatch tries again (a bounded number of times). */
export async function copyAndVerify(request: CopyRequest): Promise<CopyOutcome> {
  const maxAttempts = request.maxAttempts ?? VERIFY_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    try {
      const copied = await copyOnce(request);
      const verified = await verifyCopy(request, copied);
      return { serverSide: copied.serverSide, size: verified.size, hashes: verified.hashes, attempts: attempt };
    } catch (error) {
      if (!isMismatch(error) || attempt >= maxAttempts) throw error;
    }
  }
}

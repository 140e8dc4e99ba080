// Copies one object and proves it arrived: sizes always; with verify=hash the digests of what was read
// against what the destination reports (or, when it reports none, against a re-read of the destination).
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

async function copyOnce(request: CopyRequest): Promise<{ serverSide: boolean; size?: number; hashes?: ContentHashes }> {
  const { source, destination, signal } = request;
  if (request.preserveMetadata) {
    const result = await transferObject(source, destination, { signal });
    return { serverSide: result.serverSide, size: result.size, hashes: result.hashes };
  }
  // Metadata dropped on request: keep only the content type, which is part of what the bytes mean.
  const info = await source.store.headObject(source.bucket, source.key);
  const metadata = { contentType: info.contentType };
  if (sameAccount(request)) {
    await destination.store.copyObject(source, destination, { metadata, signal });
    return { serverSide: true };
  }
  const read = await source.store.readObject(source.bucket, source.key, { signal });
  const written = await destination.store.writeObject(destination.bucket, destination.key, read.body, { ...metadata, expectedHashes: info.hashes, signal });
  return { serverSide: false, size: written.size, hashes: written.hashes };
}

async function verifyCopy(request: CopyRequest, copied: { serverSide: boolean; size?: number; hashes?: ContentHashes }): Promise<{ size: number; hashes: ContentHashes }> {
  const { source, destination, signal } = request;
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

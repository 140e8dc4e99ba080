// Moves one object between any two stores: server-side inside one account, streamed (and verified) otherwise.
import { assertValidKey } from "./keys.ts";
import { pickMetadata, type MetadataIssue } from "./metadata.ts";
import type { ContentHashes, HashName, ObjectStore } from "./object-store.ts";

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
}

export interface TransferResult {
  serverSide: boolean;
  size?: number;
  /** Source digests that were compared with what streamed through and matched. */
  verified: HashName[];
  hashes?: ContentHashes;
  metadataIssues: MetadataIssue[];
}

export async function transferObject(source: TransferEndpoint, destination: TransferEndpoint, options: TransferOptions = {}): Promise<TransferResult> {
  assertValidKey(destination.key, destination.store.provider, destination.bucket);
  if (!options.forceStreaming && source.store.accountId === destination.store.accountId && source.store.capabilities.serverSideCopy) {
    const copied = await destination.store.copyObject(source, destination, { signal: options.signal });
    return { serverSide: true, verified: [], metadataIssues: copied.metadataIssues };
  }
  const info = await source.store.headObject(source.bucket, source.key);
  const read = await source.store.readObject(source.bucket, source.key, { signal: options.signal });
  // writeObject fails with a Permanent BadDigest when a source digest disagrees with the streamed bytes.
  const written = await destination.store.writeObject(destination.bucket, destination.key, read.body, {
    ...pickMetadata(info),
    expectedHashes: info.hashes,
    partSize: options.partSize,
    concurrency: options.concurrency,
    signal: options.signal,
  });
  const verified = (Object.keys(info.hashes) as HashName[]).filter((name) => info.hashes[name] !== undefined);
  return { serverSide: false, size: written.size, verified, hashes: written.hashes, metadataIssues: written.metadataIssues };
}

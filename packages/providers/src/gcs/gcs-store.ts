// Google Cloud Storage (and the firebase storage emulator) through @google-cloud/storage.
import { Storage, type Bucket, type File, type FileMetadata, type StorageOptions } from "@google-cloud/storage";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describeCapabilities } from "../capabilities.ts";
import { ClientCache } from "../client-cache.ts";
import { attachmentDisposition } from "../object-store.ts";
import type { GcsAccountConfig } from "../config.ts";
import { ObjectStoreError, type ErrorContext } from "../errors.ts";
import { ContentHasher, StreamingHasher, crc32cFromBase64, md5FromBase64, mismatchedHashes } from "../hashing.ts";
import { assertValidKey } from "../keys.ts";
import { keyAfter, prefixAfter } from "../listing.ts";
import { adaptMetadata, readUserMetadata } from "../metadata.ts";
import type {
  BucketInfo,
  ContentHashes,
  CopyOptions,
  CopyResult,
  DeleteManyResult,
  ListOptions,
  ObjectInfo,
  ObjectMetadata,
  ObjectPage,
  ObjectReadResult,
  ObjectRef,
  ObjectStore,
  ReadOptions,
  SignedUrlOptions,
  WriteBody,
  WriteOptions,
  WriteResult,
} from "../object-store.ts";
import { MiB, mapConcurrent, toChunks } from "../parts.ts";
import { limitedRetry, type RequestLimiter, type StoreRuntime } from "../limiter.ts";
import { resolveRetryPolicy, type RetryPolicy } from "../retry.ts";
import { mapGcsError } from "./gcs-errors.ts";

type GcsConfig = Omit<GcsAccountConfig, "provider">;

export class GcsObjectStore implements ObjectStore {
  readonly provider = "gcs" as const;
  readonly capabilities = describeCapabilities("gcs");
  readonly accountId: string;
  readonly storage: Storage;
  private readonly endpoint: string;
  private readonly retry: RetryPolicy;
  private readonly limiter?: RequestLimiter;
  /** Objects up to this size go in one request; larger ones use a resumable session. */
  private readonly singleRequestLimit: number;
  private readonly chunkSize: number;
  /** V4 signing needs a service account's private key; the emulator and ambient credentials have none here. */
  private readonly canSign: boolean;

  constructor(config: GcsConfig, runtime: StoreRuntime = {}) {
    this.limiter = runtime.limiter;
    const apiEndpoint = config.emulatorHost ?? config.apiEndpoint;
    const options: StorageOptions = {
      projectId: config.projectId,
      apiEndpoint,
      // Retries are ours (retry.ts): one policy for every provider.
      retryOptions: { autoRetry: false, maxRetries: 0 },
      timeout: config.requestTimeoutMs ?? 120_000,
    };
    if (config.credentials) {
      options.credentials = config.credentials as StorageOptions["credentials"];
      if (apiEndpoint) options.useAuthWithCustomEndpoint = true;
    }
    this.storage = new Storage(options);
    if (config.emulatorHost) {
      // The emulator serves the full JSON API at the root (/b/...); "/storage/v1/b/..." lacks copy and patch (501).
      (this.storage as unknown as { baseUrl: string }).baseUrl = config.emulatorHost.replace(/\/$/, "");
    }
    this.endpoint = (apiEndpoint ?? "https://storage.googleapis.com").replace(/\/$/, "");
    this.accountId = `gcs:${this.endpoint}:${config.projectId}`;
    this.retry = resolveRetryPolicy(config.retry);
    this.singleRequestLimit = config.partSize ?? 8 * MiB;
    // The emulator breaks chunked resumable uploads: one streamed request there.
    this.canSign = !!config.credentials && !config.emulatorHost;
    this.chunkSize = config.resumableChunkSize ?? (config.emulatorHost ? 0 : 16 * MiB);
  }

  private readonly buckets = new ClientCache((name) => this.storage.bucket(name));

  private bucket(name: string): Bucket {
    return this.buckets.get(name);
  }

  private ctx(operation: string, bucket?: string, key?: string): ErrorContext {
    return { provider: "gcs", endpoint: this.endpoint, operation, bucket, key };
  }

  private call<T>(operation: string, bucket: string | undefined, key: string | undefined, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const ctx = this.ctx(operation, bucket, key);
    return limitedRetry(fn, this.retry, (e) => mapGcsError(e, ctx), this.limiter, signal);
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const out: BucketInfo[] = [];
    let pageToken: string | undefined;
    do {
      const token: string | undefined = pageToken;
      const response = await this.call("listBuckets", undefined, undefined, () => this.storage.getBuckets({ autoPaginate: false, maxResults: 1000, pageToken: token }));
      for (const b of response[0]) out.push({ name: b.name, createdAt: b.metadata.timeCreated ? new Date(b.metadata.timeCreated) : undefined });
      pageToken = (response[1] as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
    return out;
  }

  async createBucket(bucket: string): Promise<void> {
    try {
      await this.call("createBucket", bucket, undefined, () => this.storage.createBucket(bucket));
    } catch (error) {
      if (error instanceof ObjectStoreError && error.status === 409) {
        // 409: exists. Ours if we can read it.
        await this.call("getBucket", bucket, undefined, () => this.bucket(bucket).getMetadata());
        return;
      }
      throw error;
    }
  }

  async deleteBucket(bucket: string): Promise<void> {
    await this.call("deleteBucket", bucket, undefined, () => this.bucket(bucket).delete());
  }

  async *listObjects(bucket: string, options: ListOptions = {}): AsyncGenerator<ObjectPage> {
    const { prefix, delimiter, startAfter } = options;
    const maxResults = Math.max(1, Math.min(options.pageSize ?? 1000, 5000));
    let pageToken: string | undefined;
    do {
      const token = pageToken;
      const [files, , response] = await this.call(
        "listObjects",
        bucket,
        undefined,
        () =>
          this.bucket(bucket).getFiles({
            prefix: prefix || undefined,
            delimiter: delimiter || undefined,
            // startOffset is inclusive; the filter below drops the equal key (and covers servers that ignore it).
            startOffset: startAfter,
            maxResults,
            pageToken: token,
            autoPaginate: false,
          }),
        options.signal,
      );
      const raw = (response ?? {}) as { nextPageToken?: string; prefixes?: string[] };
      const objects = files
        .filter((f) => keyAfter(f.name, startAfter))
        .map((f) => ({ key: f.name, size: Number(f.metadata.size ?? 0), lastModified: f.metadata.updated ? new Date(f.metadata.updated) : undefined, etag: f.metadata.etag, ...(f.metadata.storageClass ? { storageClass: String(f.metadata.storageClass) } : {}) }));
      const commonPrefixes = (raw.prefixes ?? []).filter((p) => prefixAfter(p, startAfter));
      if (objects.length > 0 || commonPrefixes.length > 0) yield { objects, commonPrefixes };
      pageToken = raw.nextPageToken || undefined;
    } while (pageToken);
  }

  private toInfo(key: string, m: FileMetadata): ObjectInfo {
    const hashes: ContentHashes = {};
    // Composite objects have no MD5; CRC32C is always present on real GCS.
    const md5 = m.md5Hash ? md5FromBase64(m.md5Hash) : undefined;
    const crc = m.crc32c ? crc32cFromBase64(m.crc32c) : undefined;
    if (md5) hashes.md5 = md5;
    if (crc) hashes.crc32c = crc;
    return {
      key,
      size: Number(m.size ?? 0),
      lastModified: m.updated ? new Date(m.updated) : undefined,
      etag: m.etag,
      contentType: m.contentType,
      cacheControl: m.cacheControl,
      contentDisposition: m.contentDisposition,
      contentEncoding: m.contentEncoding,
      contentLanguage: m.contentLanguage,
      userMetadata: readUserMetadata(m.metadata as Record<string, string> | undefined, "gcs"),
      version: m.generation !== undefined ? String(m.generation) : undefined,
      hashes,
    };
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    const [metadata] = await this.call("headObject", bucket, key, () => this.bucket(bucket).file(key).getMetadata());
    return this.toInfo(key, metadata);
  }

  async readObject(bucket: string, key: string, options: ReadOptions = {}): Promise<ObjectReadResult> {
    const range = options.range;
    if (range?.length === 0) {
      const info = await this.headObject(bucket, key);
      return { body: Readable.from([]), contentLength: 0, size: info.size, etag: info.etag, version: info.version, contentType: info.contentType, hashes: info.hashes };
    }
    return this.call(
      "readObject",
      bucket,
      key,
      () =>
        new Promise<ObjectReadResult>((resolve, reject) => {
          const file = this.bucket(bucket).file(key);
          const source = file.createReadStream({
            validation: false,
            decompress: false,
            ...(range ? { start: range.offset, ...(range.length !== undefined ? { end: range.offset + range.length - 1 } : {}) } : {}),
          });
          const body = new PassThrough();
          let settled = false;
          source.on("response", (res: { statusCode?: number; status?: number; headers: Record<string, string> }) => {
            const status = res.statusCode ?? res.status ?? 200;
            if (status >= 300 || settled) return; // the error event follows
            settled = true;
            const h = res.headers;
            const contentLength = Number(h["content-length"] ?? 0);
            const total = h["content-range"] ? /\/(\d+)$/.exec(h["content-range"]) : null;
            const hashes: ContentHashes = {};
            for (const pair of (h["x-goog-hash"] ?? "").split(",")) {
              const at = pair.indexOf("=");
              const name = pair.slice(0, at).trim();
              const value = pair.slice(at + 1).trim();
              if (name === "md5" && md5FromBase64(value)) hashes.md5 = md5FromBase64(value);
              if (name === "crc32c" && crc32cFromBase64(value)) hashes.crc32c = crc32cFromBase64(value);
            }
            resolve({
              body,
              contentLength,
              size: total ? Number(total[1]) : Number(h["x-goog-stored-content-length"] ?? contentLength),
              etag: h["etag"]?.replace(/^"|"$/g, ""),
              version: h["x-goog-generation"],
              contentType: h["content-type"],
              hashes,
            });
          });
          source.on("error", (error) => {
            if (!settled) {
              settled = true;
              reject(error);
            } else {
              body.destroy(mapGcsError(error, this.ctx("readObject", bucket, key)));
            }
          });
          options.signal?.addEventListener("abort", () => source.destroy(options.signal?.reason as Error), { once: true });
          source.pipe(body);
        }),
      options.signal,
    );
  }

  private gcsMetadata(metadata: ObjectMetadata & { userMetadata: Record<string, string> }) {
    return {
      contentType: metadata.contentType,
      cacheControl: metadata.cacheControl,
      contentDisposition: metadata.contentDisposition,
      contentEncoding: metadata.contentEncoding,
      contentLanguage: metadata.contentLanguage,
      metadata: metadata.userMetadata,
    };
  }

  async writeObject(bucket: string, key: string, body: WriteBody, options: WriteOptions = {}): Promise<WriteResult> {
    assertValidKey(key, "gcs", bucket);
    const { metadata, issues } = adaptMetadata(options, "gcs");
    const file = this.bucket(bucket).file(key);
    const limit = options.partSize ?? this.singleRequestLimit;
    // Read ahead up to `limit`: small objects go in one (retryable) request.
    const chunks = toChunks(body);
    const head: Uint8Array[] = [];
    let buffered = 0;
    let exhausted = false;
    while (buffered <= limit) {
      const next = await chunks.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      head.push(next.value);
      buffered += next.value.length;
    }
    let uploaded: FileMetadata;
    let parts = 1;
    if (exhausted) {
      const buffer = Buffer.concat(head);
      const inline = new ContentHasher();
      inline.update(buffer);
      const hashes = inline.digest();
      this.checkExpected(bucket, key, options.expectedHashes, hashes);
      [uploaded] = await this.call(
        "writeObject",
        bucket,
        key,
        async () => {
          await file.save(buffer, { resumable: false, validation: false, metadata: this.gcsMetadata(metadata) });
          return [file.metadata] as [FileMetadata];
        },
        options.signal,
      );
      return this.finish(bucket, key, uploaded, hashes, buffer.length, issues, parts);
    }
    const chunkSize = this.chunkSize > 0 ? Math.max(256 * 1024, Math.round(this.chunkSize / (256 * 1024)) * 256 * 1024) : undefined;
    // The streamed upload is not retried through call(): take its request token here.
    await this.limiter?.acquire(options.signal);
    const stream = file.createWriteStream({ resumable: true, validation: false, chunkSize, metadata: this.gcsMetadata(metadata) });
    // A large object: CRC32C inline, MD5 on a helper thread, so hashing does not slow the upload's event loop.
    const hasher = new StreamingHasher();
    const rest = (async function* () {
      for (const chunk of head.splice(0)) {
        await hasher.update(chunk);
        yield chunk;
      }
      for await (const chunk of chunks) {
        await hasher.update(chunk);
        yield chunk;
      }
    })();
    try {
      await pipeline(Readable.from(rest), stream, { signal: options.signal });
    } catch (error) {
      hasher.discard();
      throw mapGcsError(error, this.ctx("writeObject", bucket, key));
    }
    const hashes = await hasher.digest();
    parts = chunkSize ? Math.max(1, Math.ceil(hasher.bytes / chunkSize)) : 1;
    uploaded = file.metadata;
    try {
      this.checkExpected(bucket, key, options.expectedHashes, hashes);
    } catch (error) {
      await file.delete({ ignoreNotFound: true }).catch(() => undefined);
      throw error;
    }
    return this.finish(bucket, key, uploaded, hashes, hasher.bytes, issues, parts);
  }

  private checkExpected(bucket: string, key: string, expected: ContentHashes | undefined, hashes: Required<ContentHashes>): void {
    const bad = expected ? mismatchedHashes(expected, hashes) : [];
    if (bad.length > 0) throw new ObjectStoreError("Permanent", `Integrity check failed for ${bucket}/${key}: ${bad.join(", ")} differs from the source`, { provider: "gcs", bucket, key, code: "BadDigest" });
  }

  /** GCS returns the stored object's MD5 and CRC32C: compare them with what we streamed. */
  private async finish(bucket: string, key: string, m: FileMetadata, hashes: Required<ContentHashes>, size: number, issues: WriteResult["metadataIssues"], parts: number): Promise<WriteResult> {
    const stored = this.toInfo(key, m ?? {}).hashes;
    const bad = mismatchedHashes(hashes, stored);
    if (bad.length > 0) {
      await this.bucket(bucket).file(key).delete({ ignoreNotFound: true }).catch(() => undefined);
      throw new ObjectStoreError("Transient", `GCS stored ${bucket}/${key} with a different ${bad.join(", ")} than was sent (corrupted in transit); the object was deleted`, { provider: "gcs", bucket, key, code: "BadDigest" });
    }
    return { key, size, etag: m?.etag, version: m?.generation !== undefined ? String(m.generation) : undefined, hashes, metadataIssues: issues, parts };
  }

  async copyObject(source: ObjectRef, destination: ObjectRef, options: CopyOptions = {}): Promise<CopyResult> {
    assertValidKey(destination.key, "gcs", destination.bucket);
    const adapted = options.metadata ? adaptMetadata(options.metadata, "gcs") : undefined;
    const from = this.bucket(source.bucket).file(source.key);
    const to = this.bucket(destination.bucket).file(destination.key);
    // copy() drives the rewrite API (with rewrite tokens for large objects): the bytes stay inside GCS.
    const [copied] = await this.call(
      "copyObject",
      destination.bucket,
      destination.key,
      () => from.copy(to, adapted ? { ...this.gcsMetadata(adapted.metadata) } : {}),
      options.signal,
    );
    return { key: destination.key, etag: (copied as File).metadata?.etag, serverSide: true, metadataIssues: adapted?.issues ?? [] };
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.call("deleteObject", bucket, key, () => this.bucket(bucket).file(key).delete({ ignoreNotFound: true }));
  }

  async deleteObjects(bucket: string, keys: string[]): Promise<DeleteManyResult> {
    const result: DeleteManyResult = { deleted: [], errors: [] };
    await mapConcurrent(keys, 32, async (key) => {
      try {
        await this.deleteObject(bucket, key);
        result.deleted.push(key);
      } catch (error) {
        result.errors.push({ key, error: error as Error });
      }
    });
    return result;
  }

  async signedReadUrl(bucket: string, key: string, { expiresInSeconds, filename }: SignedUrlOptions): Promise<string | null> {
    assertValidKey(key, "gcs", bucket);
    if (!this.canSign) return null;
    const [url] = await this.bucket(bucket).file(key).getSignedUrl({
      version: "v4",
      action: "read",
      expires: Date.now() + Math.floor(expiresInSeconds) * 1000,
      ...(filename ? { responseDisposition: attachmentDisposition(filename) } : {}),
    });
    return url;
  }

  async close(): Promise<void> {}
}


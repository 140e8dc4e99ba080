// Azure Blob Storage (and azurite) through @azure/storage-blob: block blobs, staged blocks, async server copy.
import { BlobSASPermissions, BlobServiceClient, StorageSharedKeyCredential, type BlobGetPropertiesResponse, type ContainerClient, type StoragePipelineOptions } from "@azure/storage-blob";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { azureServiceUrl } from "../account-id.ts";
import { describeCapabilities } from "../capabilities.ts";
import { ClientCache } from "../client-cache.ts";
import { attachmentDisposition } from "../object-store.ts";
import type { AzureAccountConfig } from "../config.ts";
import { ObjectStoreError, type ErrorContext } from "../errors.ts";
import { mismatchedHashes } from "../hashing.ts";
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
import { md5Of } from "../md5-thread.ts";
import { MiB, mapConcurrent, uploadInParts } from "../parts.ts";
import { limitedRetry, type RequestLimiter, type StoreRuntime } from "../limiter.ts";
import { resolveRetryPolicy, type RetryPolicy } from "../retry.ts";
import { mapAzureError } from "./azure-errors.ts";

type AzureConfig = Omit<AzureAccountConfig, "provider">;

export class AzureObjectStore implements ObjectStore {
  readonly provider = "azure" as const;
  readonly capabilities = describeCapabilities("azure");
  readonly accountId: string;
  readonly service: BlobServiceClient;
  private readonly endpoint: string;
  private readonly retry: RetryPolicy;
  private readonly limiter?: RequestLimiter;
  private readonly partSize: number;
  private readonly concurrency: number;

  constructor(config: AzureConfig, runtime: StoreRuntime = {}) {
    this.limiter = runtime.limiter;
    const pipeline: StoragePipelineOptions = {
      // Retries are ours (retry.ts): one policy for every provider.
      retryOptions: { maxTries: 1, tryTimeoutInMs: config.requestTimeoutMs ?? 120_000 },
    };
    if (config.connectionString) {
      this.service = BlobServiceClient.fromConnectionString(config.connectionString, pipeline);
    } else {
      const url = config.endpoint ?? `https://${config.accountName}.blob.core.windows.net`;
      this.service = new BlobServiceClient(url, new StorageSharedKeyCredential(config.accountName!, config.accountKey!), pipeline);
    }
    this.endpoint = this.service.url.replace(/\/$/, "");
    this.accountId = `azure:${azureServiceUrl(config)}`;
    this.retry = resolveRetryPolicy(config.retry);
    this.partSize = config.partSize ?? 8 * MiB;
    this.concurrency = config.concurrency ?? 4;
  }

  private call<T>(operation: string, bucket: string | undefined, key: string | undefined, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const ctx: ErrorContext = { provider: "azure", endpoint: this.endpoint, operation, bucket, key };
    return limitedRetry(fn, this.retry, (e) => mapAzureError(e, ctx), this.limiter, signal);
  }

  private readonly containers = new ClientCache((name) => this.service.getContainerClient(name));

  private container(bucket: string): ContainerClient {
    return this.containers.get(bucket);
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const out: BucketInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.call("listBuckets", undefined, undefined, async () => {
        const next = await this.service.listContainers().byPage({ continuationToken: token, maxPageSize: 1000 }).next();
        return next.done ? undefined : next.value;
      });
      for (const c of page?.containerItems ?? []) out.push({ name: c.name, createdAt: c.properties.lastModified });
      token = page?.continuationToken || undefined;
    } while (token);
    return out;
  }

  async createBucket(bucket: string): Promise<void> {
    await this.call("createBucket", bucket, undefined, () => this.container(bucket).createIfNotExists());
  }

  async deleteBucket(bucket: string): Promise<void> {
    await this.call("deleteBucket", bucket, undefined, () => this.container(bucket).delete());
  }

  async *listObjects(bucket: string, options: ListOptions = {}): AsyncGenerator<ObjectPage> {
    const container = this.container(bucket);
    const { prefix, delimiter, startAfter } = options;
    const maxPageSize = Math.max(1, Math.min(options.pageSize ?? 1000, 5000));
    let token: string | undefined;
    do {
      const page = await this.call(
        "listObjects",
        bucket,
        undefined,
        async () => {
          // startFrom (inclusive) is honoured by the service for flat listings; the filter below drops the equal key.
          const iterator = delimiter
            ? container.listBlobsByHierarchy(delimiter, { prefix: prefix || undefined, abortSignal: options.signal }).byPage({ continuationToken: token, maxPageSize })
            : container.listBlobsFlat({ prefix: prefix || undefined, startFrom: token ? undefined : startAfter, abortSignal: options.signal }).byPage({ continuationToken: token, maxPageSize });
          const next = await iterator.next();
          return next.done ? undefined : next.value;
        },
        options.signal,
      );
      if (!page) return;
      const segment = page.segment as { blobItems?: { name: string; properties: { contentLength?: number; lastModified?: Date; etag?: string; accessTier?: string } }[]; blobPrefixes?: { name: string }[] };
      const objects = (segment.blobItems ?? [])
        .filter((b) => keyAfter(b.name, startAfter))
        .map((b) => ({ key: b.name, size: b.properties.contentLength ?? 0, lastModified: b.properties.lastModified, etag: unquote(b.properties.etag), ...(b.properties.accessTier ? { storageClass: b.properties.accessTier } : {}) }));
      const commonPrefixes = (segment.blobPrefixes ?? []).map((p) => p.name).filter((p) => prefixAfter(p, startAfter));
      if (objects.length > 0 || commonPrefixes.length > 0) {
        yield { objects, commonPrefixes };
      }
      token = page.continuationToken || undefined;
    } while (token);
  }

  private toInfo(key: string, p: BlobGetPropertiesResponse): ObjectInfo {
    const hashes: ContentHashes = {};
    if (p.contentMD5 && p.contentMD5.length === 16) hashes.md5 = Buffer.from(p.contentMD5).toString("hex");
    return {
      key,
      size: p.contentLength ?? 0,
      lastModified: p.lastModified,
      etag: unquote(p.etag),
      contentType: p.contentType,
      cacheControl: p.cacheControl,
      contentDisposition: p.contentDisposition,
      contentEncoding: p.contentEncoding,
      contentLanguage: p.contentLanguage,
      userMetadata: readUserMetadata(p.metadata, "azure"),
      version: p.versionId,
      hashes,
    };
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    const blob = this.container(bucket).getBlobClient(key);
    const props = await this.call("headObject", bucket, key, () => blob.getProperties()).catch((e: unknown) => this.disambiguate(e, bucket));
    return this.toInfo(key, props);
  }

  /** HEAD errors carry only a status; a 404 may mean the container is missing. */
  private async disambiguate(error: unknown, bucket: string): Promise<never> {
    if (error instanceof ObjectStoreError && error.kind === "ObjectNotFound" && error.code !== "BlobNotFound") {
      const exists = await this.container(bucket).exists().catch(() => true);
      if (!exists) throw new ObjectStoreError("BucketNotFound", `Container ${bucket} does not exist`, { provider: "azure", bucket, endpoint: this.endpoint, code: "ContainerNotFound", cause: error });
    }
    throw error;
  }

  async readObject(bucket: string, key: string, options: ReadOptions = {}): Promise<ObjectReadResult> {
    const blob = this.container(bucket).getBlobClient(key);
    const range = options.range;
    if (range?.length === 0) {
      const info = await this.headObject(bucket, key);
      return { body: Readable.from([]), contentLength: 0, size: info.size, etag: info.etag, version: info.version, contentType: info.contentType, hashes: info.hashes };
    }
    const out = await this.call(
      "readObject",
      bucket,
      key,
      () => blob.download(range?.offset ?? 0, range?.length, { abortSignal: options.signal, maxRetryRequests: this.retry.maxAttempts - 1 }),
      options.signal,
    ).catch((e: unknown) => this.disambiguate(e, bucket));
    const total = out.contentRange ? /\/(\d+)$/.exec(out.contentRange) : null;
    const size = total ? Number(total[1]) : (out.contentLength ?? 0);
    // A ranged download's contentMD5 is the range's (if asked); the blob's own MD5 is in blobContentMD5.
    const md5 = range ? out.blobContentMD5 : (out.blobContentMD5 ?? out.contentMD5);
    const hashes: ContentHashes = md5 && md5.length === 16 ? { md5: Buffer.from(md5).toString("hex") } : {};
    const body = (out.readableStreamBody as Readable | undefined) ?? Readable.from([]);
    return { body, contentLength: out.contentLength ?? 0, size, etag: unquote(out.etag), version: out.versionId, contentType: out.contentType, hashes };
  }

  private headersFor(metadata: ObjectMetadata, md5Hex?: string) {
    return {
      blobContentType: metadata.contentType,
      blobCacheControl: metadata.cacheControl,
      blobContentDisposition: metadata.contentDisposition,
      blobContentEncoding: metadata.contentEncoding,
      blobContentLanguage: metadata.contentLanguage,
      blobContentMD5: md5Hex ? Buffer.from(md5Hex, "hex") : undefined,
    };
  }

  async writeObject(bucket: string, key: string, body: WriteBody, options: WriteOptions = {}): Promise<WriteResult> {
    assertValidKey(key, "azure", bucket);
    const { metadata, issues } = adaptMetadata(options, "azure");
    const blob = this.container(bucket).getBlockBlobClient(key);
    const signal = options.signal;
    const nonce = randomBytes(8).toString("hex");
    const checkExpected = (hashes: Required<ContentHashes>) => {
      const bad = options.expectedHashes ? mismatchedHashes(options.expectedHashes, hashes) : [];
      if (bad.length > 0) throw new ObjectStoreError("Permanent", `Integrity check failed for ${bucket}/${key}: ${bad.join(", ")} differs from the source`, { provider: "azure", bucket, key, code: "BadDigest" });
    };
    const outcome = await uploadInParts<string, { etag?: string; version?: string }>(
      body,
      { partSize: options.partSize ?? this.partSize, concurrency: options.concurrency ?? this.concurrency, maxParts: this.capabilities.multipart.maxParts, signal },
      {
        single: async (buffer, hashes) => {
          checkExpected(hashes);
          const out = await this.call(
            "writeObject",
            bucket,
            key,
            () => blob.upload(buffer, buffer.length, { blobHTTPHeaders: this.headersFor(metadata, hashes.md5), metadata: metadata.userMetadata, abortSignal: signal }),
            signal,
          );
          return { etag: unquote(out.etag), version: out.versionId };
        },
        begin: async () => {},
        partMd5: true,
        part: async (partNumber, buffer, partMd5) => {
          // Block ids must all have the same length within a blob.
          const id = Buffer.from(`${nonce}-${String(partNumber).padStart(6, "0")}`).toString("base64");
          // The block's MD5 comes from the same pass on the MD5 thread as the blob's.
          const md5 = partMd5 ?? md5Of(buffer);
          await this.call("stageBlock", bucket, key, () => blob.stageBlock(id, buffer, buffer.length, { transactionalContentMD5: md5, abortSignal: signal }), signal);
          return id;
        },
        complete: async (ids, hashes) => {
          checkExpected(hashes);
          // Azure keeps no whole-blob MD5 for block lists unless told: we computed it while streaming.
          const out = await this.call("commitBlockList", bucket, key, () =>
            blob.commitBlockList(ids, { blobHTTPHeaders: this.headersFor(metadata, hashes.md5), metadata: metadata.userMetadata, abortSignal: signal }),
          );
          return { etag: unquote(out.etag), version: out.versionId };
        },
        abort: async () => {
          // Uncommitted blocks are garbage-collected by the service after a week.
        },
      },
    ).catch((error: unknown) => {
      throw error instanceof ObjectStoreError ? error : mapAzureError(error, { provider: "azure", endpoint: this.endpoint, operation: "writeObject", bucket, key });
    });
    return { key, size: outcome.size, etag: outcome.result.etag, version: outcome.result.version, hashes: outcome.hashes, metadataIssues: issues, parts: outcome.parts };
  }

  async copyObject(source: ObjectRef, destination: ObjectRef, options: CopyOptions = {}): Promise<CopyResult> {
    assertValidKey(destination.key, "azure", destination.bucket);
    const from = this.container(source.bucket).getBlobClient(source.key);
    const to = this.container(destination.bucket).getBlobClient(destination.key);
    const adapted = options.metadata ? adaptMetadata(options.metadata, "azure") : undefined;
    // Copy Blob within one account is authorised by our shared key; it runs on the service (async for large blobs).
    const result = await this.call(
      "copyObject",
      destination.bucket,
      destination.key,
      async () => {
        const poller = await to.beginCopyFromURL(from.url, { metadata: adapted?.metadata.userMetadata, abortSignal: options.signal, intervalInMs: 200 });
        return poller.pollUntilDone();
      },
      options.signal,
    ).catch(async (e: unknown) => {
      if (e instanceof ObjectStoreError && (e.kind === "ObjectNotFound" || e.kind === "BucketNotFound")) {
        await this.headObject(source.bucket, source.key);
      }
      throw e;
    });
    if (result.copyStatus && result.copyStatus !== "success") {
      throw new ObjectStoreError("Transient", `Server-side copy of ${source.bucket}/${source.key} ended as ${result.copyStatus}`, { provider: "azure", bucket: destination.bucket, key: destination.key, code: result.copyStatus });
    }
    if (adapted) {
      const md5 = (await this.headObject(destination.bucket, destination.key)).hashes.md5;
      await this.call("setHTTPHeaders", destination.bucket, destination.key, () => to.setHTTPHeaders(this.headersFor(adapted.metadata, md5)));
    }
    return { key: destination.key, etag: unquote(result.etag), serverSide: true, metadataIssues: adapted?.issues ?? [] };
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const blob = this.container(bucket).getBlobClient(key);
    await this.call("deleteObject", bucket, key, () => blob.deleteIfExists({ deleteSnapshots: "include" }));
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

  /** A read-only SAS; needs the account key (a shared-key credential), which token-based clients lack. */
  async signedReadUrl(bucket: string, key: string, { expiresInSeconds, filename }: SignedUrlOptions): Promise<string | null> {
    assertValidKey(key, "azure", bucket);
    if (!(this.service.credential instanceof StorageSharedKeyCredential)) return null;
    const blob = this.container(bucket).getBlobClient(key);
    return blob.generateSasUrl({
      permissions: BlobSASPermissions.parse("r"),
      expiresOn: new Date(Date.now() + Math.floor(expiresInSeconds) * 1000),
      ...(filename ? { contentDisposition: attachmentDisposition(filename) } : {}),
    });
  }

  async close(): Promise<void> {}
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, "").replace(/^"|"$/g, "");
}

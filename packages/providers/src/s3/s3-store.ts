// S3 and S3-compatible stores (AWS, MinIO, Wasabi, DigitalOcean Spaces, R2, s3rver, fauxqs) through the AWS SDK v3.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type HeadObjectCommandOutput,
} from "@aws-sdk/client-s3";
import { Readable } from "node:stream";
import { S3Getter } from "./s3-get.ts";
import { presignS3Get, type S3SigningConfig } from "./s3-presign.ts";
import { describeCapabilities } from "../capabilities.ts";
import { attachmentDisposition } from "../object-store.ts";
import type { S3AccountConfig } from "../config.ts";
import { ObjectStoreError, type ErrorContext } from "../errors.ts";
import { hexToBase64, mismatchedHashes } from "../hashing.ts";
import { assertValidKey, encodeS3CopySource } from "../keys.ts";
import { prefixAfter } from "../listing.ts";
import { adaptMetadata, pickMetadata, readUserMetadata } from "../metadata.ts";
import type {
  BucketInfo,
  ContentHashes,
  CopyOptions,
  CopyResult,
  DeleteManyResult,
  ListOptions,
  ObjectInfo,
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
import { MiB, mapConcurrent, uploadInParts } from "../parts.ts";
import { limitedRetry, type RequestLimiter, type StoreRuntime } from "../limiter.ts";
import { resolveRetryPolicy, type RetryPolicy } from "../retry.ts";
import { mapS3Error } from "./s3-errors.ts";

export interface S3StoreOptions {
  /** Objects above this are copied with UploadPartCopy instead of CopyObject (S3 caps CopyObject at 5 GiB). */
  multipartCopyThreshold?: number;
  multipartCopyPartSize?: number;
}

type S3Config = Omit<S3AccountConfig, "provider" | "region" | "forcePathStyle"> & { region?: string; forcePathStyle?: boolean };

export class S3ObjectStore implements ObjectStore {
  readonly provider = "s3" as const;
  readonly capabilities = describeCapabilities("s3");
  readonly accountId: string;
  readonly client: S3Client;
  private readonly endpoint: string;
  private readonly retry: RetryPolicy;
  private readonly limiter?: RequestLimiter;
  private readonly partSize: number;
  private readonly concurrency: number;
  private readonly copyThreshold: number;
  private readonly copyPartSize: number;
  private readonly signing: S3SigningConfig;
  /** GetObject outside the SDK's pipeline (s3-get.ts): reads are most of a migration's requests. */
  private readonly getter: S3Getter;

  constructor(config: S3Config, options: S3StoreOptions & StoreRuntime = {}) {
    this.limiter = options.limiter;
    const region = config.region ?? "us-east-1";
    this.endpoint = config.endpoint ?? `https://s3.${region}.amazonaws.com`;
    this.accountId = `s3:${this.endpoint}:${config.accessKeyId}`;
    this.retry = resolveRetryPolicy(config.retry);
    this.partSize = config.partSize ?? 8 * MiB;
    this.concurrency = config.concurrency ?? 4;
    this.copyThreshold = options.multipartCopyThreshold ?? 5 * 1024 * MiB;
    this.copyPartSize = options.multipartCopyPartSize ?? 512 * MiB;
    this.signing = { endpoint: config.endpoint, region, forcePathStyle: config.forcePathStyle ?? false, accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, sessionToken: config.sessionToken };
    this.getter = new S3Getter({ ...this.signing, requestTimeoutMs: config.requestTimeoutMs ?? 120_000, connectionTimeoutMs: 10_000 });
    this.client = new S3Client({
      endpoint: config.endpoint,
      region,
      forcePathStyle: config.forcePathStyle ?? false,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, sessionToken: config.sessionToken },
      // Streamed bodies with default checksums get aws-chunked framing that many S3-compatibles store verbatim.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      // Retries are ours (retry.ts): one policy for every provider.
      maxAttempts: 1,
      requestHandler: { requestTimeout: config.requestTimeoutMs ?? 120_000, connectionTimeout: 10_000 },
    });
  }

  private ctx(operation: string, bucket?: string, key?: string): ErrorContext {
    return { provider: "s3", endpoint: this.endpoint, operation, bucket, key };
  }

  private call<T>(operation: string, bucket: string | undefined, key: string | undefined, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const ctx = this.ctx(operation, bucket, key);
    return limitedRetry(fn, this.retry, (e) => mapS3Error(e, ctx), this.limiter, signal);
  }

  /**
   * HEAD answers carry no error body: a 404 may be a missing bucket, a 403 may be bad credentials.
   * Ask a request that does get a body (HeadBucket / a 1-byte GET) to tell them apart.
   */
  private async disambiguate(error: unknown, bucket: string, key?: string): Promise<never> {
    if (!(error instanceof ObjectStoreError)) throw error;
    if (error.kind === "ObjectNotFound" && error.code !== "NoSuchKey") {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (bucketError) {
        const mapped = mapS3Error(bucketError, this.ctx("headBucket", bucket));
        if (mapped.kind === "BucketNotFound") throw mapped;
      }
    }
    if (error.status === 403 && (error.code === undefined || error.code === "Forbidden" || error.code === "Unknown") && key !== undefined) {
      try {
        await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: "bytes=0-0" }));
      } catch (probeError) {
        const mapped = mapS3Error(probeError, this.ctx("headObject", bucket, key));
        if (mapped.kind === "InvalidCredentials" || (mapped.kind === "AccessDenied" && mapped.code)) {
          mapped.attempts = error.attempts;
          throw mapped;
        }
      }
    }
    throw error;
  }

  async listBuckets(): Promise<BucketInfo[]> {
    const out = await this.call("listBuckets", undefined, undefined, () => this.client.send(new ListBucketsCommand({})));
    return (out.Buckets ?? []).map((b) => ({ name: b.Name ?? "", createdAt: b.CreationDate }));
  }

  async createBucket(bucket: string): Promise<void> {
    try {
      await this.call("createBucket", bucket, undefined, () => this.client.send(new CreateBucketCommand({ Bucket: bucket })));
    } catch (error) {
      if (error instanceof ObjectStoreError && (error.code === "BucketAlreadyOwnedByYou" || error.code === "BucketAlreadyExists")) {
        // BucketAlreadyExists from emulators means "ours"; from AWS it means someone else's: check access.
        await this.call("headBucket", bucket, undefined, () => this.client.send(new HeadBucketCommand({ Bucket: bucket })));
        return;
      }
      throw error;
    }
  }

  async deleteBucket(bucket: string): Promise<void> {
    await this.call("deleteBucket", bucket, undefined, () => this.client.send(new DeleteBucketCommand({ Bucket: bucket })));
  }

  async *listObjects(bucket: string, options: ListOptions = {}): AsyncGenerator<ObjectPage> {
    let token: string | undefined;
    const maxKeys = Math.max(1, Math.min(options.pageSize ?? 1000, 1000));
    do {
      const out = await this.call(
        "listObjects",
        bucket,
        undefined,
        () =>
          this.client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: options.prefix || undefined,
              Delimiter: options.delimiter || undefined,
              StartAfter: token ? undefined : options.startAfter,
              ContinuationToken: token,
              MaxKeys: maxKeys,
            }),
            { abortSignal: options.signal },
          ),
        options.signal,
      );
      const page: ObjectPage = {
        objects: (out.Contents ?? []).map((o) => ({ key: o.Key ?? "", size: o.Size ?? 0, lastModified: o.LastModified, etag: unquote(o.ETag), ...(o.StorageClass ? { storageClass: o.StorageClass } : {}) })),
        commonPrefixes: (out.CommonPrefixes ?? []).map((p) => p.Prefix ?? "").filter((p) => prefixAfter(p, options.startAfter)),
      };
      if (page.objects.length > 0 || page.commonPrefixes.length > 0) yield page;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  private toInfo(key: string, out: HeadObjectCommandOutput): ObjectInfo {
    const etag = unquote(out.ETag);
    const sse = out.ServerSideEncryption;
    // A single-part, non-KMS, non-SSE-C ETag is the MD5; a multipart ETag ends in "-<parts>" and is not.
    const etagIsMd5 = !!etag && /^[0-9a-f]{32}$/.test(etag) && (sse === undefined || sse === "AES256") && !out.SSECustomerAlgorithm;
    const hashes: ContentHashes = {};
    if (etagIsMd5) hashes.md5 = etag;
    return {
      key,
      size: out.ContentLength ?? 0,
      lastModified: out.LastModified,
      etag,
      contentType: out.ContentType,
      cacheControl: out.CacheControl,
      contentDisposition: out.ContentDisposition,
      contentEncoding: out.ContentEncoding,
      contentLanguage: out.ContentLanguage,
      userMetadata: readUserMetadata(out.Metadata, "s3"),
      version: out.VersionId,
      hashes,
    };
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    try {
      const out = await this.call("headObject", bucket, key, () => this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
      return this.toInfo(key, out);
    } catch (error) {
      return this.disambiguate(error, bucket, key);
    }
  }

  async readObject(bucket: string, key: string, options: ReadOptions = {}): Promise<ObjectReadResult> {
    const range = options.range;
    if (range && (range.offset < 0 || (range.length !== undefined && range.length < 0))) {
      throw new ObjectStoreError("Permanent", `Invalid range ${JSON.stringify(range)}`, { provider: "s3", bucket, key, code: "InvalidRange" });
    }
    if (range?.length === 0) {
      const info = await this.headObject(bucket, key);
      return { body: Readable.from([]), contentLength: 0, size: info.size, etag: info.etag, version: info.version, contentType: info.contentType, hashes: info.hashes };
    }
    const header = range && (range.offset > 0 || range.length !== undefined) ? `bytes=${range.offset}-${range.length !== undefined ? range.offset + range.length - 1 : ""}` : undefined;
    try {
      const out = await this.call(
        "readObject",
        bucket,
        key,
        () => this.getter.get(bucket, key, header, options.signal),
        options.signal,
      );
      const info = this.toInfo(key, out as unknown as HeadObjectCommandOutput);
      const contentRange = out.ContentRange ? /\/(\d+)$/.exec(out.ContentRange) : null;
      const size = contentRange ? Number(contentRange[1]) : (out.ContentLength ?? 0);
      return { body: out.Body, contentLength: out.ContentLength ?? 0, size, etag: info.etag, version: info.version, contentType: info.contentType, hashes: info.hashes, metadata: pickMetadata(info) };
    } catch (error) {
      return this.disambiguate(error, bucket);
    }
  }

  async writeObject(bucket: string, key: string, body: WriteBody, options: WriteOptions = {}): Promise<WriteResult> {
    assertValidKey(key, "s3", bucket);
    const { metadata, issues } = adaptMetadata(options, "s3");
    const headers = {
      ContentType: metadata.contentType,
      CacheControl: metadata.cacheControl,
      ContentDisposition: metadata.contentDisposition,
      ContentEncoding: metadata.contentEncoding,
      ContentLanguage: metadata.contentLanguage,
      Metadata: metadata.userMetadata,
    };
    const partSize = options.partSize ?? this.partSize;
    const signal = options.signal;
    let uploadId: string | undefined;
    const checkExpected = (hashes: Required<ContentHashes>) => {
      const bad = options.expectedHashes ? mismatchedHashes(options.expectedHashes, hashes) : [];
      if (bad.length > 0) throw new ObjectStoreError("Permanent", `Integrity check failed for ${bucket}/${key}: ${bad.join(", ")} differs from the source`, { provider: "s3", bucket, key, code: "BadDigest" });
    };
    const outcome = await uploadInParts<{ ETag?: string; PartNumber: number }, { etag?: string; version?: string }>(
      body,
      { partSize, concurrency: options.concurrency ?? this.concurrency, maxParts: this.capabilities.multipart.maxParts, signal },
      {
        single: async (buffer, hashes) => {
          checkExpected(hashes);
          const out = await this.call(
            "writeObject",
            bucket,
            key,
            () =>
              this.client.send(
                unsignedPayload(new PutObjectCommand({ Bucket: bucket, Key: key, Body: buffer, ContentLength: buffer.length, ContentMD5: hexToBase64(hashes.md5), ...headers })),
                { abortSignal: signal },
              ),
            signal,
          );
          return { etag: unquote(out.ETag), version: out.VersionId };
        },
        begin: async () => {
          const out = await this.call("createMultipartUpload", bucket, key, () => this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...headers })), signal);
          uploadId = out.UploadId;
        },
        // Parts are signed with their SHA-256 (the SDK's default, checked by S3; SHA-256 is faster than MD5 here).
        part: async (partNumber, buffer) => {
          const out = await this.call(
            "uploadPart",
            bucket,
            key,
            () => this.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: buffer, ContentLength: buffer.length }), { abortSignal: signal }),
            signal,
          );
          return { ETag: out.ETag, PartNumber: partNumber };
        },
        complete: async (parts, hashes) => {
          checkExpected(hashes);
          const out = await this.call("completeMultipartUpload", bucket, key, () =>
            this.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } })),
          );
          return { etag: unquote(out.ETag), version: out.VersionId };
        },
        abort: async () => {
          if (uploadId) await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
        },
      },
    ).catch((error: unknown) => {
      if (error instanceof ObjectStoreError && error.kind === "ObjectNotFound") return this.disambiguate(error, bucket);
      throw error instanceof ObjectStoreError ? error : mapS3Error(error, this.ctx("writeObject", bucket, key));
    });
    return { key, size: outcome.size, etag: outcome.result.etag, version: outcome.result.version, hashes: outcome.hashes, metadataIssues: issues, parts: outcome.parts };
  }

  async copyObject(source: ObjectRef, destination: ObjectRef, options: CopyOptions = {}): Promise<CopyResult> {
    assertValidKey(destination.key, "s3", destination.bucket);
    const info = await this.headObject(source.bucket, source.key);
    const { metadata, issues } = options.metadata ? adaptMetadata(options.metadata, "s3") : { metadata: undefined, issues: [] };
    const replace = metadata
      ? {
          MetadataDirective: "REPLACE" as const,
          ContentType: metadata.contentType,
          CacheControl: metadata.cacheControl,
          ContentDisposition: metadata.contentDisposition,
          ContentEncoding: metadata.contentEncoding,
          ContentLanguage: metadata.contentLanguage,
          Metadata: metadata.userMetadata,
        }
      : {};
    const copySource = encodeS3CopySource(source.bucket, source.key);
    const { bucket, key } = destination;
    if (info.size <= this.copyThreshold) {
      const out = await this.call(
        "copyObject",
        bucket,
        key,
        () => this.client.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: copySource, ...replace }), { abortSignal: options.signal }),
        options.signal,
      ).catch((e: unknown) => this.disambiguate(e, bucket));
      return { key, etag: unquote(out.CopyObjectResult?.ETag), serverSide: true, metadataIssues: issues };
    }
    // Large objects: multipart copy, the bytes never leave the provider.
    const carried = metadata ?? adaptMetadata(info, "s3").metadata;
    const created = await this.call("createMultipartUpload", bucket, key, () =>
      this.client.send(
        new CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ContentType: carried.contentType,
          CacheControl: carried.cacheControl,
          ContentDisposition: carried.contentDisposition,
          ContentEncoding: carried.contentEncoding,
          ContentLanguage: carried.contentLanguage,
          Metadata: carried.userMetadata,
        }),
      ),
    );
    const uploadId = created.UploadId;
    const ranges: { start: number; end: number }[] = [];
    for (let start = 0; start < info.size; start += this.copyPartSize) ranges.push({ start, end: Math.min(info.size, start + this.copyPartSize) - 1 });
    try {
      const parts = await mapConcurrent(ranges, this.concurrency, async (r, i) => {
        const out = await this.call(
          "uploadPartCopy",
          bucket,
          key,
          () =>
            this.client.send(
              new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: i + 1, CopySource: copySource, CopySourceRange: `bytes=${r.start}-${r.end}` }),
              { abortSignal: options.signal },
            ),
          options.signal,
        );
        return { ETag: out.CopyPartResult?.ETag, PartNumber: i + 1 };
      });
      const out = await this.call("completeMultipartUpload", bucket, key, () =>
        this.client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } })),
      );
      return { key, etag: unquote(out.ETag), serverSide: true, metadataIssues: issues };
    } catch (error) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw error;
    }
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    try {
      await this.call("deleteObject", bucket, key, () => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    } catch (error) {
      if (error instanceof ObjectStoreError && error.kind === "ObjectNotFound") return this.disambiguate(error, bucket).catch((e: ObjectStoreError) => {
        if (e.kind === "ObjectNotFound") return;
        throw e;
      });
      throw error;
    }
  }

  async deleteObjects(bucket: string, keys: string[]): Promise<DeleteManyResult> {
    const result: DeleteManyResult = { deleted: [], errors: [] };
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const out = await this.call("deleteObjects", bucket, undefined, () =>
        this.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
      );
      const failed = new Map<string, Error>();
      for (const e of out.Errors ?? []) {
        if (e.Code === "NoSuchKey") continue;
        failed.set(e.Key ?? "", mapS3Error({ name: e.Code, message: e.Message }, this.ctx("deleteObjects", bucket, e.Key)));
      }
      for (const key of batch) {
        const error = failed.get(key);
        if (error) result.errors.push({ key, error });
        else result.deleted.push(key);
      }
    }
    return result;
  }

  async signedReadUrl(bucket: string, key: string, { expiresInSeconds, filename }: SignedUrlOptions): Promise<string | null> {
    assertValidKey(key, "s3", bucket);
    const expiresIn = Math.floor(expiresInSeconds);
    if (expiresIn < 1) throw new ObjectStoreError("Permanent", "A signed URL must expire in the future", this.ctx("signedReadUrl", bucket, key));
    return presignS3Get(this.signing, { bucket, key, expiresIn, ...(filename ? { responseContentDisposition: attachmentDisposition(filename) } : {}) });
  }

  async close(): Promise<void> {
    this.getter.close();
    this.client.destroy();
  }
}

/**
 * Signs a single-request PUT without hashing its body (x-amz-content-sha256: UNSIGNED-PAYLOAD): it carries the
 * Content-MD5 we computed anyway, which S3 checks, so a SHA-256 pass over the body would add nothing.
 */
function unsignedPayload<C extends { middlewareStack: { add: (...args: never[]) => unknown } }>(command: C): C {
  (command.middlewareStack as unknown as { add: (mw: unknown, options: { step: string; name: string }) => void }).add(
    (next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
      return next(args);
    },
    { step: "build", name: "crossdockUnsignedPayload" },
  );
  return command;
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, "").replace(/^"|"$/g, "");
}

// Opens a cloud store without loading its SDK: the SDK (tens of MiB for Azure and GCS) is imported on the
// first request, so a worker only ever holds the SDKs of the providers it actually talks to.
import type { ObjectStoreConfig } from "./config.ts";
import { accountIdOf } from "./account-id.ts";
import { describeCapabilities } from "./capabilities.ts";
import type { StoreRuntime } from "./limiter.ts";
import type {
  BucketInfo,
  CopyOptions,
  CopyResult,
  DeleteManyResult,
  ListOptions,
  ObjectInfo,
  ObjectPage,
  ObjectReadResult,
  ObjectRef,
  ObjectStore,
  ProviderCapabilities,
  ProviderName,
  ReadOptions,
  SignedUrlOptions,
  WriteBody,
  WriteOptions,
  WriteResult,
} from "./object-store.ts";

/** Imports the provider's module and constructs its store (one dynamic import per provider per process). */
export async function loadObjectStore(config: ObjectStoreConfig, runtime: StoreRuntime = {}): Promise<ObjectStore> {
  switch (config.provider) {
    case "s3":
      return new (await import("./s3/s3-store.ts")).S3ObjectStore(config, runtime);
    case "azure":
      return new (await import("./azure/azure-store.ts")).AzureObjectStore(config, runtime);
    case "gcs":
      return new (await import("./gcs/gcs-store.ts")).GcsObjectStore(config, runtime);
    case "local":
      return new (await import("./local/local-store.ts")).LocalObjectStore(config);
  }
}

export class LazyObjectStore implements ObjectStore {
  readonly provider: ProviderName;
  readonly accountId: string;
  readonly capabilities: ProviderCapabilities;
  private loaded?: Promise<ObjectStore>;
  private closed = false;

  constructor(
    private readonly config: ObjectStoreConfig,
    private readonly runtime: StoreRuntime = {},
  ) {
    this.provider = config.provider;
    this.accountId = accountIdOf(config);
    this.capabilities = describeCapabilities(config.provider);
  }

  /** The real store (its SDK loaded on first use). */
  store(): Promise<ObjectStore> {
    this.loaded ??= loadObjectStore(this.config, this.runtime);
    return this.loaded;
  }

  async listBuckets(): Promise<BucketInfo[]> {
    return (await this.store()).listBuckets();
  }
  async createBucket(bucket: string): Promise<void> {
    return (await this.store()).createBucket(bucket);
  }
  async deleteBucket(bucket: string): Promise<void> {
    return (await this.store()).deleteBucket(bucket);
  }
  async *listObjects(bucket: string, options?: ListOptions): AsyncGenerator<ObjectPage> {
    yield* (await this.store()).listObjects(bucket, options);
  }
  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    return (await this.store()).headObject(bucket, key);
  }
  async readObject(bucket: string, key: string, options?: ReadOptions): Promise<ObjectReadResult> {
    return (await this.store()).readObject(bucket, key, options);
  }
  async writeObject(bucket: string, key: string, body: WriteBody, options?: WriteOptions): Promise<WriteResult> {
    return (await this.store()).writeObject(bucket, key, body, options);
  }
  async copyObject(source: ObjectRef, destination: ObjectRef, options?: CopyOptions): Promise<CopyResult> {
    return (await this.store()).copyObject(source, destination, options);
  }
  async deleteObject(bucket: string, key: string): Promise<void> {
    return (await this.store()).deleteObject(bucket, key);
  }
  async deleteObjects(bucket: string, keys: string[]): Promise<DeleteManyResult> {
    return (await this.store()).deleteObjects(bucket, keys);
  }
  async signedReadUrl(bucket: string, key: string, options: SignedUrlOptions): Promise<string | null> {
    return (await this.store()).signedReadUrl(bucket, key, options);
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.loaded) await (await this.loaded.catch(() => undefined))?.close();
  }
}

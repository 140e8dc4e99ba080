// A directory tree as an object store: root/<bucket>/<key>, metadata sidecars under root/.crossdock/meta.
//
// Listing trade-off: a directory's entries must be sorted to list in key order, so memory is bounded by the
// largest single directory (not by the whole tree); sub-directories are only read when the walk reaches them.
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, type Dirent } from "node:fs";
import { copyFile, mkdir, open, readFile, readdir, rename, rm, rmdir, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describeCapabilities } from "../capabilities.ts";
import type { LocalAccountConfig } from "../config.ts";
import { ObjectStoreError, describeKind, type ErrorContext, type ErrorKind } from "../errors.ts";
import { ContentHasher, mismatchedHashes } from "../hashing.ts";
import { assertValidKey, compareKeys } from "../keys.ts";
import { paginate, type ListingEntry } from "../listing.ts";
import { adaptMetadata, type MetadataIssue } from "../metadata.ts";
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
import { mapConcurrent, toChunks } from "../parts.ts";

const INTERNAL_DIR = ".crossdock";
const SIDECAR_SUFFIX = ".meta.json";
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

interface Sidecar extends ObjectMetadata {
  size: number;
  mtimeMs: number;
  md5?: string;
  crc32c?: string;
}

export class LocalObjectStore implements ObjectStore {
  readonly provider = "local" as const;
  readonly capabilities = describeCapabilities("local");
  readonly accountId: string;
  private readonly root: string;

  constructor(config: Pick<LocalAccountConfig, "rootDir">) {
    this.root = path.resolve(config.rootDir);
    this.accountId = `local:${this.root}`;
  }

  private bucketDir(bucket: string): string {
    if (!BUCKET_NAME.test(bucket) || bucket.includes("..")) {
      throw new ObjectStoreError("Permanent", `Invalid local bucket name ${JSON.stringify(bucket)}: use lower-case letters, digits, '.', '-' and '_'`, { provider: "local", bucket });
    }
    return path.join(this.root, bucket);
  }

  private objectPath(bucket: string, key: string): string {
    assertValidKey(key, "local", bucket);
    const dir = this.bucketDir(bucket);
    const full = path.join(dir, ...key.split("/"));
    // Belt and braces after validateKey: the joined path must stay inside the bucket directory.
    if (!full.startsWith(dir + path.sep)) throw new ObjectStoreError("InvalidKey", `Key ${JSON.stringify(key)} escapes the bucket directory`, { provider: "local", bucket, key });
    return full;
  }

  private sidecarPath(bucket: string, key: string): string {
    return path.join(this.root, INTERNAL_DIR, "meta", bucket, ...key.split("/")) + SIDECAR_SUFFIX;
  }

  private async tempFile(): Promise<string> {
    const dir = path.join(this.root, INTERNAL_DIR, "tmp");
    await mkdir(dir, { recursive: true });
    return path.join(dir, `${randomUUID()}.part`);
  }

  private fail(error: unknown, ctx: Omit<ErrorContext, "provider">): ObjectStoreError {
    if (error instanceof ObjectStoreError) return error;
    const code = (error as NodeJS.ErrnoException)?.code;
    const full: ErrorContext = { provider: "local", endpoint: this.root, ...ctx };
    const kind: ErrorKind =
      code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR"
        ? "ObjectNotFound"
        : code === "EACCES" || code === "EPERM"
          ? "AccessDenied"
          : code === "EMFILE" || code === "ENFILE" || code === "EBUSY" || code === "EAGAIN"
            ? "Transient"
            : "Permanent";
    return new ObjectStoreError(kind, describeKind(kind, full, code ? `${code}: ${(error as Error).message}` : String(error)), {
      provider: "local",
      bucket: ctx.bucket,
      key: ctx.key,
      code,
      cause: error,
    });
  }

  private async requireBucket(bucket: string): Promise<string> {
    const dir = this.bucketDir(bucket);
    try {
      if ((await stat(dir)).isDirectory()) return dir;
    } catch {
      // fall through
    }
    throw new ObjectStoreError("BucketNotFound", describeKind("BucketNotFound", { provider: "local", bucket, operation: "" }, `no directory ${dir}`), { provider: "local", bucket });
  }

  async listBuckets(): Promise<BucketInfo[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.root, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw this.fail(error, { operation: "listBuckets" });
    }
    const buckets = entries.filter((e) => e.isDirectory() && BUCKET_NAME.test(e.name)).map((e) => e.name);
    buckets.sort(compareKeys);
    return Promise.all(buckets.map(async (name) => ({ name, createdAt: (await stat(path.join(this.root, name))).birthtime })));
  }

  async createBucket(bucket: string): Promise<void> {
    try {
      await mkdir(this.bucketDir(bucket), { recursive: true });
    } catch (error) {
      throw this.fail(error, { bucket, operation: "createBucket" });
    }
  }

  async deleteBucket(bucket: string): Promise<void> {
    const dir = await this.requireBucket(bucket);
    try {
      await rmdir(dir);
      await rm(path.join(this.root, INTERNAL_DIR, "meta", bucket), { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOTEMPTY") {
        throw new ObjectStoreError("Permanent", `Bucket ${bucket} is not empty`, { provider: "local", bucket, code: "BucketNotEmpty", cause: error });
      }
      throw this.fail(error, { bucket, operation: "deleteBucket" });
    }
  }

  async *listObjects(bucket: string, options: ListOptions = {}): AsyncGenerator<ObjectPage> {
    const bucketDir = await this.requireBucket(bucket);
    const prefix = options.prefix ?? "";
    const { delimiter, startAfter } = options;
    const pageSize = Math.max(1, Math.min(options.pageSize ?? 1000, 10_000));
    const walk = async function* (dirRel: string): AsyncGenerator<ListingEntry | { pending: string }> {
      let entries: Dirent[];
      try {
        entries = await readdir(path.join(bucketDir, ...dirRel.split("/").filter(Boolean)), { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return;
        throw error;
      }
      const items = entries
        .filter((e) => e.isDirectory() || e.isFile())
        .map((e) => ({ dir: e.isDirectory(), sortKey: dirRel + e.name + (e.isDirectory() ? "/" : "") }))
        .filter((i) => i.sortKey.startsWith(prefix) || (i.dir && prefix.startsWith(i.sortKey)));
      items.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
      for (const item of items) {
        if (!item.dir) {
          if (startAfter === undefined || compareKeys(item.sortKey, startAfter) > 0) yield { pending: item.sortKey };
          continue;
        }
        const startsInside = startAfter !== undefined && startAfter.startsWith(item.sortKey);
        if (startAfter !== undefined && !startsInside && compareKeys(item.sortKey, startAfter) < 0) continue;
        if (delimiter && !startsInside && item.sortKey.length >= prefix.length) {
          const at = item.sortKey.indexOf(delimiter, prefix.length);
          if (at >= 0 && at + delimiter.length <= item.sortKey.length) {
            // Every key below shares this common prefix: no need to read the sub-tree.
            yield { commonPrefix: item.sortKey.slice(0, at + delimiter.length) };
            continue;
          }
        }
        yield* walk(item.sortKey);
      }
    };
    const startDir = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/") + 1) : "";
    const withStats = async function* (this: void): AsyncGenerator<ListingEntry> {
      // Stat files in batches so the listing is not one syscall round trip per key.
      let batch: string[] = [];
      const flush = async function* (): AsyncGenerator<ListingEntry> {
        const stats = await mapConcurrent(batch, 32, (key) => stat(path.join(bucketDir, ...key.split("/"))).catch(() => undefined));
        for (let i = 0; i < batch.length; i++) {
          const s = stats[i];
          if (s) yield { object: { key: batch[i]!, size: s.size, lastModified: s.mtime, etag: `${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}` } };
        }
        batch = [];
      };
      for await (const entry of walk(startDir)) {
        if ("pending" in entry) {
          batch.push(entry.pending);
          if (batch.length >= 256) yield* flush();
        } else {
          yield* flush();
          yield entry;
        }
      }
      yield* flush();
    };
    try {
      yield* paginate(withStats(), { prefix, delimiter, startAfter, pageSize });
    } catch (error) {
      throw this.fail(error, { bucket, operation: "listObjects" });
    }
  }

  private async readSidecar(bucket: string, key: string): Promise<Sidecar | undefined> {
    try {
      return JSON.parse(await readFile(this.sidecarPath(bucket, key), "utf8")) as Sidecar;
    } catch {
      return undefined;
    }
  }

  private async notFound(bucket: string, key: string, error: unknown, operation: string): Promise<ObjectStoreError> {
    await this.requireBucket(bucket);
    const mapped = this.fail(error, { bucket, key, operation });
    return mapped;
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    const file = this.objectPath(bucket, key);
    let s;
    try {
      s = await stat(file);
      if (!s.isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
    } catch (error) {
      throw await this.notFound(bucket, key, error, "headObject");
    }
    const side = await this.readSidecar(bucket, key);
    // Hashes are trusted only if the file has not changed since we wrote it.
    const fresh = side !== undefined && side.size === s.size && Math.floor(side.mtimeMs) === Math.floor(s.mtimeMs);
    const hashes: ContentHashes = fresh ? { md5: side.md5, crc32c: side.crc32c } : {};
    return {
      key,
      size: s.size,
      lastModified: s.mtime,
      etag: fresh && side.md5 ? side.md5 : `${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}`,
      contentType: side?.contentType ?? "application/octet-stream",
      cacheControl: side?.cacheControl,
      contentDisposition: side?.contentDisposition,
      contentEncoding: side?.contentEncoding,
      contentLanguage: side?.contentLanguage,
      userMetadata: side?.userMetadata ?? {},
      hashes,
    };
  }

  async readObject(bucket: string, key: string, options: ReadOptions = {}): Promise<ObjectReadResult> {
    const info = await this.headObject(bucket, key);
    const offset = options.range?.offset ?? 0;
    if (offset < 0 || (offset > 0 && offset >= info.size)) {
      throw new ObjectStoreError("Permanent", `Range starts at ${offset}, beyond the end of ${bucket}/${key} (${info.size} bytes)`, { provider: "local", bucket, key, code: "InvalidRange" });
    }
    const end = options.range?.length === undefined ? info.size : Math.min(info.size, offset + options.range.length);
    const contentLength = Math.max(0, end - offset);
    const body = contentLength === 0 ? Readable.from([]) : createReadStream(this.objectPath(bucket, key), { start: offset, end: end - 1, signal: options.signal });
    return { body, contentLength, size: info.size, etag: info.etag, contentType: info.contentType, hashes: info.hashes };
  }

  async writeObject(bucket: string, key: string, body: WriteBody, options: WriteOptions = {}): Promise<WriteResult> {
    const target = this.objectPath(bucket, key);
    await this.requireBucket(bucket);
    const { metadata, issues } = adaptMetadata(options, "local");
    const tmp = await this.tempFile();
    const hasher = new ContentHasher();
    try {
      const hashing = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hasher.update(chunk);
          cb(null, chunk);
        },
      });
      await pipeline(Readable.from(toChunks(body)), hashing, createWriteStream(tmp), { signal: options.signal });
      const hashes = hasher.digest();
      const bad = options.expectedHashes ? mismatchedHashes(options.expectedHashes, hashes) : [];
      if (bad.length > 0) {
        throw new ObjectStoreError("Permanent", `Integrity check failed for ${bucket}/${key}: ${bad.join(", ")} differs from the source`, { provider: "local", bucket, key, code: "BadDigest" });
      }
      await this.place(tmp, target, bucket, key);
      const s = await stat(target);
      await this.writeSidecar(bucket, key, { ...metadata, size: s.size, mtimeMs: s.mtimeMs, ...hashes });
      return { key, size: hasher.bytes, etag: hashes.md5, hashes, metadataIssues: issues, parts: 1 };
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw this.fail(error, { bucket, key, operation: "writeObject" });
    }
  }

  /** Atomic rename into place; path conflicts (a key that is also a "directory") become InvalidKey. */
  private async place(tmp: string, target: string, bucket: string, key: string): Promise<void> {
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST" || code === "ENOTDIR" || code === "EISDIR" || code === "ENOTEMPTY") {
        throw new ObjectStoreError("InvalidKey", `Key ${JSON.stringify(key)} cannot be stored on local disk: it conflicts with an existing key that is a prefix of it (or that it is a prefix of)`, {
          provider: "local",
          bucket,
          key,
          code: "path-conflict",
          cause: error,
        });
      }
      throw error;
    }
  }

  private async writeSidecar(bucket: string, key: string, sidecar: Sidecar): Promise<void> {
    const file = this.sidecarPath(bucket, key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = await this.tempFile();
    const handle = await open(tmp, "w");
    try {
      await handle.writeFile(JSON.stringify(sidecar));
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  }

  async copyObject(source: ObjectRef, destination: ObjectRef, options: CopyOptions = {}): Promise<CopyResult> {
    const from = this.objectPath(source.bucket, source.key);
    const to = this.objectPath(destination.bucket, destination.key);
    await this.requireBucket(destination.bucket);
    const info = await this.headObject(source.bucket, source.key);
    let issues: MetadataIssue[] = [];
    const tmp = await this.tempFile();
    try {
      await copyFile(from, tmp);
      await this.place(tmp, to, destination.bucket, destination.key);
      const s = await stat(to);
      const adapted = adaptMetadata(options.metadata ?? info, "local");
      issues = adapted.issues;
      await this.writeSidecar(destination.bucket, destination.key, { ...adapted.metadata, size: s.size, mtimeMs: s.mtimeMs, ...info.hashes });
      return { key: destination.key, etag: info.hashes.md5, serverSide: true, metadataIssues: issues };
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw this.fail(error, { bucket: destination.bucket, key: destination.key, operation: "copyObject" });
    }
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const file = this.objectPath(bucket, key);
    const bucketDir = await this.requireBucket(bucket);
    try {
      await unlink(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR" && code !== "EISDIR") throw this.fail(error, { bucket, key, operation: "deleteObject" });
    }
    await unlink(this.sidecarPath(bucket, key)).catch(() => undefined);
    await pruneEmptyDirs(path.dirname(file), bucketDir);
    await pruneEmptyDirs(path.dirname(this.sidecarPath(bucket, key)), path.join(this.root, INTERNAL_DIR, "meta", bucket));
  }

  async deleteObjects(bucket: string, keys: string[]): Promise<DeleteManyResult> {
    const result: DeleteManyResult = { deleted: [], errors: [] };
    await mapConcurrent(keys, 16, async (key) => {
      try {
        await this.deleteObject(bucket, key);
        result.deleted.push(key);
      } catch (error) {
        result.errors.push({ key, error: error as Error });
      }
    });
    return result;
  }

  /** A disk has no signing service: the app streams local objects itself. */
  async signedReadUrl(_bucket: string, _key: string, _options: SignedUrlOptions): Promise<string | null> {
    return null;
  }

  async close(): Promise<void> {}
}

/** Removes now-empty parent directories so deleted "folders" disappear from listings. */
async function pruneEmptyDirs(dir: string, stopAt: string): Promise<void> {
  let current = dir;
  while (current.startsWith(stopAt + path.sep)) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}

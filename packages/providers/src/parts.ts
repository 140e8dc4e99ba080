// Cuts a stream of unknown length into parts and uploads them with bounded concurrency:
// memory stays near partSize x (concurrency + 2) whatever the object size.
import { ContentHasher, StreamingHasher } from "./hashing.ts";
import type { ContentHashes, WriteBody } from "./object-store.ts";

export const MiB = 1024 * 1024;

export async function* toChunks(body: WriteBody): AsyncGenerator<Uint8Array> {
  if (typeof body === "string") {
    yield Buffer.from(body, "utf8");
    return;
  }
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
  }
}

/**
 * Re-slices a byte stream into parts of exactly `partSize` bytes (the last may be shorter; an empty stream
 * yields one empty part). Chunks are only referenced until a part is full, so a small object never pays
 * for a part-sized allocation.
 */
export async function* toParts(chunks: AsyncIterable<Uint8Array>, partSize: number): AsyncGenerator<Buffer> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let emitted = false;
  for await (const input of chunks) {
    let chunk = input;
    while (pendingBytes + chunk.length >= partSize) {
      // A whole ArrayBuffer of its own: it can be lent to the MD5 thread without a copy.
      const part = Buffer.allocUnsafeSlow(partSize);
      let filled = 0;
      for (const p of pending) {
        part.set(p, filled);
        filled += p.length;
      }
      pending = [];
      pendingBytes = 0;
      const take = partSize - filled;
      part.set(chunk.subarray(0, take), filled);
      chunk = chunk.subarray(take);
      yield part;
      emitted = true;
    }
    if (chunk.length > 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
    }
  }
  if (pendingBytes > 0 || !emitted) {
    const last = Buffer.concat(pending, pendingBytes);
    pending = [];
    yield last;
  }
}

export interface PartUploader<P, R> {
  /** The whole body fitted into one part: upload it with one request. */
  single(body: Buffer, hashes: Required<ContentHashes>): Promise<R>;
  /** Called once, before the first part, for multipart uploads. */
  begin(): Promise<void>;
  /** `md5`: the part's own MD5, when the uploader asked for it (partMd5). */
  part(partNumber: number, body: Buffer, md5?: Buffer): Promise<P>;
  /** Compute each part's own MD5 while hashing the object (one pass on the MD5 thread). */
  partMd5?: boolean;
  /** Parts in order. */
  complete(parts: P[], hashes: Required<ContentHashes>, size: number): Promise<R>;
  abort(): Promise<void>;
}

export interface PartUploadOutcome<R> {
  result: R;
  hashes: Required<ContentHashes>;
  size: number;
  parts: number;
}

export async function uploadInParts<P, R>(
  body: WriteBody,
  options: { partSize: number; concurrency: number; maxParts: number; signal?: AbortSignal },
  uploader: PartUploader<P, R>,
): Promise<PartUploadOutcome<R>> {
  const parts = toParts(toChunks(body), options.partSize);
  // Buffers are held in `let`s and cleared once handed over: a forgotten reference is a part's worth of memory.
  let current: Buffer | undefined = (await parts.next()).value ?? Buffer.alloc(0);
  let upcoming: IteratorResult<Buffer> | undefined = await parts.next();
  if (upcoming.done) {
    // One part: hashed inline (a thread round trip costs more than hashing a small object).
    const hasher = new ContentHasher();
    hasher.update(current!);
    const hashes = hasher.digest();
    const body = current;
    current = undefined;
    return { result: await uploader.single(body!, hashes), hashes, size: hasher.bytes, parts: 1 };
  }

  // Parts are hashed in order as they are launched: CRC32C inline, MD5 on a helper thread.
  await uploader.begin();
  const hasher = new StreamingHasher();
  const results: P[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let partNumber = 0;
  const launch = async (buffer: Buffer) => {
    const n = ++partNumber;
    if (n > options.maxParts) throw new Error(`object needs more than ${options.maxParts} parts: raise partSize`);
    // A copy goes to the MD5 thread; the part itself is sent at once (unless it needs its own MD5 first).
    if (uploader.partMd5) hasher.beginPart();
    await hasher.update(buffer);
    const partMd5 = uploader.partMd5 ? await hasher.endPart() : undefined;
    const task = uploader.part(n, buffer, partMd5).then(
      (p) => {
        results[n - 1] = p;
      },
      (error: unknown) => {
        failure ??= error;
      },
    );
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  try {
    for (;;) {
      while (inFlight.size >= options.concurrency && failure === undefined) await Promise.race(inFlight);
      if (failure !== undefined) break;
      options.signal?.throwIfAborted();
      let buffer: Buffer;
      if (current) {
        buffer = current;
        current = undefined;
      } else if (upcoming) {
        if (upcoming.done) break;
        buffer = upcoming.value;
        upcoming = undefined;
      } else {
        const next = await parts.next();
        if (next.done) break;
        buffer = next.value;
      }
      await launch(buffer);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    const hashes = await hasher.digest();
    return { result: await uploader.complete(results, hashes, hasher.bytes), hashes, size: hasher.bytes, parts: partNumber };
  } catch (error) {
    hasher.discard();
    await Promise.allSettled(inFlight);
    await parts.return(undefined).catch(() => undefined);
    await uploader.abort().catch(() => undefined);
    throw error;
  }
}

/** Runs `worker` over `items` with at most `concurrency` at once, preserving result order. */
export async function mapConcurrent<T, R>(items: readonly T[], concurrency: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await worker(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, run));
  return results;
}

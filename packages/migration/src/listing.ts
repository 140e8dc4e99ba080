// Key-range listings and the merge-join of a source range with its destination range.
import { compareKeys, type ObjectStore, type ObjectSummary } from "@crossdock/providers";

/**
 * The engine's one assumption about providers: listings come in UTF-8 byte order (S3, GCS, our local store;
 * Azure for all but exotic keys). Shard ranges and the merge-join rest on it, so a listing that goes
 * backwards stops the work loudly instead of mis-reading objects as missing (or, worse, as extraneous).
 */
export class ListingOrderError extends Error {
  override readonly name = "ListingOrderError";
  constructor(bucket: string, previous: string, next: string) {
    super(`The listing of ${bucket} is not in key order (${JSON.stringify(next)} came after ${JSON.stringify(previous)}); this provider cannot be migrated in shards`);
  }
}

/** Passes keys through, failing when one is not strictly after the previous. */
export class OrderCheck {
  private previous: string | undefined;
  constructor(private readonly bucket: string) {}
  next(key: string): void {
    if (this.previous !== undefined && compareKeys(key, this.previous) <= 0) throw new ListingOrderError(this.bucket, this.previous, key);
    this.previous = key;
  }
}

/** Objects of `bucket` under `prefix` with startAfter < key <= endKey, in key order, a page at a time. */
export async function* listRange(
  store: ObjectStore,
  bucket: string,
  range: { prefix: string; startAfter?: string; endKey?: string; pageSize?: number },
): AsyncGenerator<ObjectSummary> {
  const { prefix, startAfter, endKey, pageSize } = range;
  const order = new OrderCheck(bucket);
  for await (const page of store.listObjects(bucket, { prefix: prefix || undefined, startAfter, pageSize })) {
    for (const object of page.objects) {
      order.next(object.key);
      if (endKey !== undefined && compareKeys(object.key, endKey) > 0) return;
      yield object;
    }
  }
}

export interface MergedEntry {
  /** Key relative to the prefixes: the join column. */
  relativeKey: string;
  source?: ObjectSummary;
  destination?: ObjectSummary;
}

/**
 * Walks two sorted listings side by side. Both are ordered by their full keys, and each side shares one
 * prefix, so they are also ordered by the relative key: one comparison per step, nothing buffered.
 */
export async function* mergeListings(
  source: AsyncIterable<ObjectSummary>,
  sourcePrefix: string,
  destination: AsyncIterable<ObjectSummary>,
  destPrefix: string,
): AsyncGenerator<MergedEntry> {
  const a = source[Symbol.asyncIterator]();
  const b = destination[Symbol.asyncIterator]();
  try {
    let x = await a.next();
    let y = await b.next();
    while (!x.done || !y.done) {
      const xr = x.done ? undefined : x.value.key.slice(sourcePrefix.length);
      const yr = y.done ? undefined : y.value.key.slice(destPrefix.length);
      const order = xr === undefined ? 1 : yr === undefined ? -1 : compareKeys(xr, yr);
      if (order < 0) {
        yield { relativeKey: xr!, source: x.value as ObjectSummary };
        x = await a.next();
      } else if (order > 0) {
        yield { relativeKey: yr!, destination: y.value as ObjectSummary };
        y = await b.next();
      } else {
        yield { relativeKey: xr!, source: x.value as ObjectSummary, destination: y.value as ObjectSummary };
        [x, y] = await Promise.all([a.next(), b.next()]);
      }
    }
  } finally {
    await Promise.all([a.return?.(), b.return?.()]);
  }
}

export async function* inChunks<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

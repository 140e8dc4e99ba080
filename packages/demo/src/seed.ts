import type { ObjectStore } from "@crossdock/providers";
import type { DemoObject } from "./dataset.ts";

export interface SeedOptions {
  concurrency?: number;
  /** false where buckets appear on first write and cannot be created (the GCS emulator). */
  createBucket?: boolean;
  onProgress?: (done: number, bytes: number) => void;
}

/**
 * Writes the objects into `bucket` (created when missing), `concurrency` at a time, pulling from the
 * generator as it goes so only the objects in flight are held in memory.
 */
export async function seedStore(store: ObjectStore, bucket: string, objects: Iterable<DemoObject>, { concurrency = 16, onProgress, createBucket = true }: SeedOptions = {}) {
  if (createBucket && store.capabilities.createBucket) await store.createBucket(bucket);
  const iterator = objects[Symbol.iterator]();
  let done = 0;
  let bytes = 0;
  async function lane() {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      const o = next.value;
      await store.writeObject(bucket, o.key, o.body(), { contentType: o.contentType, userMetadata: o.userMetadata });
      done++;
      bytes += o.size;
      if (done % 250 === 0) onProgress?.(done, bytes);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  onProgress?.(done, bytes);
  return { objects: done, bytes };
}

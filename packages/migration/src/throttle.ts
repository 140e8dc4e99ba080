// Bandwidth limit, applied to the bytes read: a budget shared by every transfer of a migration (fleet-limits.ts
// keeps it in Redis for the whole fleet; TokenBucket is the in-process one).
import { Transform, type Readable, type TransformCallback } from "node:stream";
import type { ObjectStore } from "@crossdock/providers";

/** Something that paces bytes: take() resolves when `bytes` may pass. */
export interface ByteBudget {
  take(bytes: number): Promise<void>;
}

export class TokenBucket implements ByteBudget {
  private tokens: number;
  private last = Date.now();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly bytesPerSec: number,
    /** Burst allowance: one second's worth by default. */
    private readonly capacity = bytesPerSec,
  ) {
    this.tokens = capacity;
  }

  /** Resolves once `bytes` may pass; callers are served in order. */
  take(bytes: number): Promise<void> {
    const turn = this.queue.then(async () => {
      let needed = bytes;
      while (needed > 0) {
        const now = Date.now();
        this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.bytesPerSec);
        this.last = now;
        const grant = Math.min(needed, Math.floor(this.tokens));
        if (grant > 0) {
          this.tokens -= grant;
          needed -= grant;
        }
        if (needed > 0) await new Promise((r) => setTimeout(r, Math.max(5, Math.ceil((Math.min(needed, this.capacity) / this.bytesPerSec) * 1000))));
      }
    });
    this.queue = turn.catch(() => {});
    return turn;
  }
}

function throttled(body: Readable, bucket: ByteBudget): Readable {
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      bucket.take(chunk.length).then(() => callback(null, chunk), callback);
    },
  });
  body.on("error", (error) => limiter.destroy(error));
  return body.pipe(limiter);
}

/** The same store, with every object body it reads paced by `bucket`. */
export function throttleStore(store: ObjectStore, bucket: ByteBudget): ObjectStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === "readObject") {
        return async (...args: Parameters<ObjectStore["readObject"]>) => {
          const read = await target.readObject(...args);
          return { ...read, body: throttled(read.body, bucket) };
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

// Deterministic test bytes and stream helpers.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { ContentHasher } from "../../src/hashing.ts";

/** `size` pseudo-random bytes (xorshift32), produced 1 MiB at a time: never held whole in memory. */
export function pseudoRandomStream(size: number, seed = 0x9e3779b9, chunkSize = 1024 * 1024): Readable {
  let state = seed >>> 0 || 1;
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= size) return this.push(null);
      const n = Math.min(chunkSize, size - produced);
      const words = new Uint32Array(Math.ceil(n / 4));
      for (let i = 0; i < words.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        words[i] = state >>> 0;
      }
      produced += n;
      this.push(Buffer.from(words.buffer, 0, n));
    },
  });
}

export async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Hashes a stream without keeping it. */
export async function hashStream(stream: AsyncIterable<Uint8Array>): Promise<{ md5: string; crc32c: string; bytes: number }> {
  const hasher = new ContentHasher();
  for await (const c of stream) hasher.update(c);
  return { ...hasher.digest(), bytes: hasher.bytes };
}

export function md5Hex(data: Uint8Array | string): string {
  return createHash("md5").update(data).digest("hex");
}

/**
 * Samples live memory (heapUsed + arrayBuffers, after a forced GC when --expose-gc is on, so garbage
 * awaiting collection is not counted) while `fn` runs; returns the peak growth over the starting level.
 */
export async function measurePeakMemory<T>(fn: () => Promise<T>): Promise<{ result: T; peakGrowth: number; gcAvailable: boolean }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const level = () => {
    // Two passes: the first can leave freed ArrayBuffer backing stores waiting for the sweeper.
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = level();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, level());
  }, 25);
  try {
    const result = await fn();
    peak = Math.max(peak, level());
    return { result, peakGrowth: peak - base, gcAvailable: gc !== undefined };
  } finally {
    clearInterval(timer);
  }
}

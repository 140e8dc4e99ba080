// MD5 and CRC32C computed while bytes stream past, so integrity never costs a second read.
import { createHash, type Hash } from "node:crypto";
import { createRequire } from "node:module";
import { Transform, type TransformCallback } from "node:stream";
import { BackgroundMd5 } from "./md5-thread.ts";
import type { ContentHashes } from "./object-store.ts";

/** SSE4.2 / ARMv8 CRC32C (@node-rs/crc32, ~7 GB/s) where its prebuilt binary exists; the table version otherwise. */
const nativeCrc32c: ((input: Uint8Array, initial?: number) => number) | undefined = (() => {
  try {
    return (createRequire(import.meta.url)("@node-rs/crc32") as { crc32c: (input: Uint8Array, initial?: number) => number }).crc32c;
  } catch {
    return undefined;
  }
})();

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8 tables. */
const CRC32C_TABLES: Uint32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const t0 = tables[0]!;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n]!;
    for (let t = 1; t < 8; t++) {
      c = t0[c & 0xff]! ^ (c >>> 8);
      tables[t]![n] = c >>> 0;
    }
  }
  return tables;
})();

/** Continues a CRC32C over `data`; start with crc = 0. */
export function crc32cUpdate(crc: number, data: Uint8Array): number {
  return nativeCrc32c ? nativeCrc32c(data, crc) : crc32cSoftware(crc, data);
}

/** The portable slicing-by-8 CRC32C (about 1 GB/s); tests check the native one against it. */
export function crc32cSoftware(crc: number, data: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC32C_TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n % 8);
  while (i < end8) {
    const a = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) ^ c;
    c =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[data[i + 4]!]! ^
      t2[data[i + 5]!]! ^
      t1[data[i + 6]!]! ^
      t0[data[i + 7]!]!;
    i += 8;
  }
  while (i < n) c = t0[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export function crc32c(data: Uint8Array | string): number {
  return crc32cUpdate(0, typeof data === "string" ? Buffer.from(data) : data);
}

export function crc32cHex(value: number): string {
  return value.toString(16).padStart(8, "0");
}

/** GCS and S3 carry CRC32C as base64 of the 4 big-endian bytes. */
export function crc32cFromBase64(b64: string): string | undefined {
  const bytes = Buffer.from(b64, "base64");
  return bytes.length === 4 ? bytes.toString("hex") : undefined;
}

export function md5FromBase64(b64: string): string | undefined {
  const bytes = Buffer.from(b64, "base64");
  return bytes.length === 16 ? bytes.toString("hex") : undefined;
}

export function hexToBase64(hex: string): string {
  return Buffer.from(hex, "hex").toString("base64");
}

/** Accumulates MD5 + CRC32C + byte count. */
export class ContentHasher {
  private readonly md5: Hash = createHash("md5");
  private crc = 0;
  bytes = 0;

  update(chunk: Uint8Array): void {
    this.md5.update(chunk);
    this.crc = crc32cUpdate(this.crc, chunk);
    this.bytes += chunk.length;
  }

  digest(): Required<ContentHashes> {
    return { md5: this.md5.digest("hex"), crc32c: crc32cHex(this.crc) };
  }
}

/** Pass-through stream that hashes what flows through it; read `result()` after it ends. */
export class HashingStream extends Transform {
  private readonly hasher = new ContentHasher();
  private final?: Required<ContentHashes>;

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.hasher.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.final = this.hasher.digest();
    callback();
  }

  get bytes(): number {
    return this.hasher.bytes;
  }

  result(): Required<ContentHashes> {
    if (!this.final) throw new Error("HashingStream has not finished");
    return this.final;
  }
}

/** Names of the hashes present in both sets that disagree. */
export function mismatchedHashes(expected: ContentHashes, actual: ContentHashes): (keyof ContentHashes)[] {
  const out: (keyof ContentHashes)[] = [];
  for (const name of ["md5", "crc32c"] as const) {
    const e = expected[name];
    const a = actual[name];
    if (e && a && e.toLowerCase() !== a.toLowerCase()) out.push(name);
  }
  return out;
}

/**
 * MD5 + CRC32C for large bodies: CRC32C inline (native), MD5 on a helper thread. Await every call in order.
 */
export class StreamingHasher {
  private readonly md5 = new BackgroundMd5();
  private crc = 0;
  bytes = 0;

  /** Bytes the caller keeps: copied for the MD5 thread (waits only when the thread falls 16 MiB behind). */
  update(chunk: Uint8Array): Promise<void> {
    this.crc = crc32cUpdate(this.crc, chunk);
    this.bytes += chunk.length;
    return this.md5.update(chunk);
  }

  /** The bytes updated until endPart() also get an MD5 of their own (a part's Content-MD5), in the same pass. */
  beginPart(): void {
    this.md5.beginPart();
  }

  endPart(): Promise<Buffer> {
    return this.md5.endPart();
  }

  async digest(): Promise<Required<ContentHashes>> {
    return { md5: await this.md5.digest(), crc32c: crc32cHex(this.crc) };
  }

  discard(): void {
    this.md5.discard();
  }
}

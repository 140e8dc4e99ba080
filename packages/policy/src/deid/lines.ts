// Bytes -> UTF-8 text lines, for every line-based format (CSV, NDJSON, VCF). Strict: invalid UTF-8 and
// over-long lines are errors with a line number, found before the line is buffered whole.

import { DeidError } from "./errors.ts";

/** A Readable, an async generator, or (in tests and previews) an array of chunks. */
export type DeidInput = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export const defaultMaxLineBytes = 1 << 20;

/** Index of the first byte of an invalid UTF-8 sequence in bytes[start..], or -1 (a sequence cut by the end is not invalid). */
export function invalidUtf8Offset(bytes: Uint8Array, start = 0): number {
  let i = start;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return -1;
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

export type LineHandler = (line: string, lineNo: number) => void;

/**
 * Feed chunks, get whole lines (without "\n"; a "\r" before it is left for the format to judge).
 * Line numbers are 1-based physical lines. A UTF-8 BOM at the start is dropped.
 */
export class LineReader {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private carry = "";
  private lineNo = 1;
  private tail: Uint8Array = new Uint8Array(0);

  constructor(private readonly maxLineBytes: number = defaultMaxLineBytes) {}

  /** The line the next character belongs to. */
  get line(): number {
    return this.lineNo;
  }

  feed(chunk: Uint8Array, onLine: LineHandler): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw this.utf8Error(chunk);
    }
    this.tail = chunk.length >= 3 ? chunk.subarray(chunk.length - 3) : chunk;
    let start = 0;
    let nl = text.indexOf("\n");
    if (nl === -1) {
      this.carry += text;
      this.checkLength(this.carry);
      return;
    }
    let line = this.carry + text.slice(0, nl);
    this.carry = "";
    for (;;) {
      this.checkLength(line);
      onLine(line, this.lineNo++);
      start = nl + 1;
      nl = text.indexOf("\n", start);
      if (nl === -1) break;
      line = text.slice(start, nl);
    }
    this.carry = text.slice(start);
    this.checkLength(this.carry);
  }

  /** Flushes the last line (one with no "\n" after it). */
  end(onLine: LineHandler): void {
    try {
      this.carry += this.decoder.decode();
    } catch {
      throw new DeidError("Malformed", "invalid UTF-8: the file ends inside a multi-byte character", this.lineNo);
    }
    if (this.carry !== "") {
      this.checkLength(this.carry);
      onLine(this.carry, this.lineNo);
      this.carry = "";
    }
  }

  private checkLength(line: string): void {
    // UTF-16 length <= UTF-8 length <= 3x it: count bytes only when it can matter.
    if (line.length > this.maxLineBytes || (line.length * 3 > this.maxLineBytes && Buffer.byteLength(line) > this.maxLineBytes)) {
      throw new DeidError("Malformed", `line is longer than the maximum of ${this.maxLineBytes} bytes`, this.lineNo);
    }
  }

  private utf8Error(chunk: Uint8Array): DeidError {
    // The bad sequence may have started in the last bytes of the previous chunk.
    let from = 0;
    while (from < this.tail.length && (this.tail[from]! & 0xc0) === 0x80) from++;
    const joined = new Uint8Array(this.tail.length - from + chunk.length);
    joined.set(this.tail.subarray(from));
    joined.set(chunk, this.tail.length - from);
    const bad = invalidUtf8Offset(joined);
    const inChunk = Math.max(0, bad - (this.tail.length - from));
    let line = this.lineNo;
    for (let i = 0; i < inChunk; i++) if (chunk[i] === 0x0a) line++;
    return new DeidError("Malformed", "invalid UTF-8 byte sequence", line);
  }
}

export function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
}

/**
 * Feeds `input` line by line to `onLine`; after each input chunk yields what `take` returns (the output the
 * handlers built meanwhile, so async steps stay few). `atEnd` runs after the last line, before the last yield.
 */
export async function* pumpLines(
  input: DeidInput,
  maxLineBytes: number,
  onLine: (text: string, line: number) => void,
  take: () => string,
  atEnd?: () => void,
): AsyncGenerator<Buffer> {
  const reader = new LineReader(maxLineBytes);
  for await (const chunk of input) {
    reader.feed(toBytes(chunk), onLine);
    const text = take();
    if (text.length > 0) yield Buffer.from(text, "utf8");
  }
  reader.end(onLine);
  atEnd?.();
  const text = take();
  if (text.length > 0) yield Buffer.from(text, "utf8");
}

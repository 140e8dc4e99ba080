// The CSV / TSV transform over bytes: records are parsed in the input Buffer (field bounds in reused
// typed arrays), kept columns are copied byte for byte into a preallocated output Buffer, and only the
// columns a rule computes (or other rules read) become strings. Same output, same errors and line
// numbers as the line-and-string parser in delimited.ts, at several times its speed.

import { isUtf8 } from "node:buffer";
import { DeidError } from "./errors.ts";
import { createKeyed } from "./keyed.ts";
import { compileTabular, type DelimitedOptions, type TabularPlan } from "./delimited.ts";
import { defaultMaxLineBytes, invalidUtf8Offset, toBytes, type DeidInput } from "./lines.ts";
import { assertValidRules, type DeidRules } from "./rules.ts";

const QUOTE = 34;
const CR = 13;
const LF = 10;
const defaultMaxRecordBytes = 8 << 20;

/** Bounds of the fields of one record, reused for every record. */
class Fields {
  count = 0;
  start = new Int32Array(64);
  end = new Int32Array(64);
  /** Bit 1: quoted; bit 2: the value holds a quote, the delimiter, CR or LF (it must be quoted on output). */
  flags = new Uint8Array(64);

  push(start: number, end: number, flags: number): void {
    if (this.count === this.start.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.start = grow(this.start);
      this.end = grow(this.end);
      this.flags = grow(this.flags);
    }
    this.start[this.count] = start;
    this.end[this.count] = end;
    this.flags[this.count++] = flags;
  }
}

const isBomPrefix = (b: Buffer) => (b.length < 1 || b[0] === 0xef) && (b.length < 2 || b[1] === 0xbb);

const QUOTED = 1;
const SPECIAL = 2;

/** Thrown by the parser when the data ends inside a record: the caller keeps the bytes for the next chunk. */
const INCOMPLETE = -1;

export async function* transformDelimitedBytes(input: DeidInput, rules: DeidRules, options: DelimitedOptions): AsyncGenerator<Buffer> {
  assertValidRules(rules);
  const keyed = createKeyed(rules, options);
  const delimiter = options.delimiter ?? ",";
  if (delimiter.length !== 1 || /["\r\n]/.test(delimiter)) throw new DeidError("InvalidRules", "the delimiter must be one character other than a quote or a line break");
  const D = delimiter.charCodeAt(0);
  if (D > 0x7f) throw new DeidError("InvalidRules", "the delimiter must be an ASCII character");
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  const maxRecordBytes = options.maxRecordBytes ?? defaultMaxRecordBytes;

  const fields = new Fields();
  let plan: TabularPlan | undefined;
  let needed: Uint8Array = new Uint8Array(0); // 1 = the column is read as a string
  let record: string[] = [];
  let eol = "\n";
  let line = 1; // physical line of the next unparsed byte
  let carry: Buffer | undefined;
  let first = true;

  let out = Buffer.allocUnsafe(0);
  let pos = 0;
  const ensure = (n: number) => {
    if (pos + n <= out.length) return;
    const next = Buffer.allocUnsafe(Math.max(out.length * 2, pos + n, 1 << 16));
    out.copy(next, 0, 0, pos);
    out = next;
  };
  const copy = (buf: Buffer, from: number, to: number) => {
    const n = to - from;
    ensure(n);
    if (n < 48) for (let i = from; i < to; i++) out[pos++] = buf[i]!;
    else pos += buf.copy(out, pos, from, to);
  };
  /** A computed value, quoted when it holds a quote, the delimiter or a line break. */
  const writeCell = (value: string) => {
    const n = value.length;
    let ascii = true;
    let special = false;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) ascii = false;
      else if (c === QUOTE || c === D || c === LF || c === CR) special = true;
    }
    if (special) value = `"${value.replaceAll('"', '""')}"`;
    if (ascii && !special) {
      ensure(n);
      for (let i = 0; i < n; i++) out[pos++] = value.charCodeAt(i);
    } else {
      ensure(value.length * 3);
      pos += out.write(value, pos, "utf8");
    }
  };
  const fieldText = (buf: Buffer, f: number) => {
    const text = buf.toString("utf8", fields.start[f], fields.end[f]);
    return fields.flags[f]! & QUOTED && text.includes('"') ? text.replaceAll('""', '"') : text;
  };

  /**
   * Parses one record starting at `i` (not a blank line). Returns the index after its line ending, or
   * INCOMPLETE when `buf` ends first (and `final` is false). Advances `line` over the record.
   */
  const parseRecord = (buf: Buffer, i: number, n: number, final: boolean, recordLine: number): number => {
    fields.count = 0;
    const recordStart = i;
    let lines = 0;
    for (;;) {
      if (i < n && buf[i] === QUOTE) {
        // Quoted: up to the closing quote ("" is an escaped quote; line breaks are part of the value).
        const start = i + 1;
        let flags = QUOTED;
        let j = start;
        for (;;) {
          if (j >= n) {
            if (!final) return INCOMPLETE;
            throw new DeidError("Malformed", "broken quoting: a quoted field is never closed", recordLine);
          }
          const c = buf[j]!;
          if (c === QUOTE) {
            if (buf[j + 1] === QUOTE) {
              flags |= SPECIAL;
              j += 2;
              continue;
            }
            if (j + 1 >= n && !final) return INCOMPLETE; // "" may continue in the next chunk
            break;
          }
          if (c === LF) {
            lines++;
            flags |= SPECIAL;
            if (j - recordStart > maxRecordBytes) throw new DeidError("Malformed", `a quoted field makes the record longer than ${maxRecordBytes} bytes (is a quote missing?)`, recordLine);
          } else if (c === D || c === CR) flags |= SPECIAL;
          j++;
        }
        fields.push(start, j, flags);
        i = j + 1;
        if (i >= n) {
          if (!final) return INCOMPLETE;
          line = recordLine + lines + 1;
          return i;
        }
        const c = buf[i]!;
        if (c === D) {
          i++;
          continue;
        }
        if (c === LF) {
          line = recordLine + lines + 1;
          return i + 1;
        }
        if (c === CR && (buf[i + 1] === LF || (i + 1 >= n && final))) {
          line = recordLine + lines + 1;
          return Math.min(i + 2, n);
        }
        if (c === CR && i + 1 >= n) return INCOMPLETE;
        throw new DeidError("Malformed", `broken quoting: unexpected text after the closing quote of field ${fields.count}`, recordLine + lines);
      }
      // Unquoted: up to the delimiter or the line end; a CR just before the line end is the line ending's.
      const start = i;
      let crs = 0;
      while (i < n) {
        const c = buf[i]!;
        if (c === D || c === LF) break;
        if (c === QUOTE) throw new DeidError("Malformed", `broken quoting: a quote inside unquoted field ${fields.count + 1}`, recordLine + lines);
        if (c === CR) crs++;
        i++;
      }
      if (i >= n && !final) return INCOMPLETE;
      if (i < n && buf[i] === D) {
        fields.push(start, i, crs > 0 ? SPECIAL : 0);
        i++;
        continue;
      }
      let end = i;
      if (end > start && buf[end - 1] === CR) {
        end--;
        crs--;
      }
      fields.push(start, end, crs > 0 ? SPECIAL : 0);
      line = recordLine + lines + 1;
      return i < n ? i + 1 : i;
    }
  };

  const emitRecord = (buf: Buffer, recordLine: number) => {
    if (!plan) {
      const header: string[] = [];
      for (let f = 0; f < fields.count; f++) header.push(fieldText(buf, f));
      plan = compileTabular(header, rules, keyed, recordLine, delimiter);
      needed = new Uint8Array(plan.width);
      for (const o of plan.outputs) if (!o.keep) needed[o.at] = 1;
      for (const r of plan.referenced) needed[r] = 1;
      record = new Array<string>(plan.width).fill("");
      const text = plan.outputHeader.map((h) => (/["\r\n]/.test(h) || h.includes(delimiter) ? `"${h.replaceAll('"', '""')}"` : h)).join(delimiter) + eol;
      ensure(text.length * 3);
      pos += out.write(text, pos, "utf8");
      return;
    }
    if (fields.count !== plan.width) throw new DeidError("Malformed", `row has ${fields.count} fields, the header has ${plan.width}`, recordLine);
    for (let f = 0; f < plan.width; f++) if (needed[f]) record[f] = fieldText(buf, f);
    const outputs = plan.outputs;
    for (let k = 0; k < outputs.length; k++) {
      const o = outputs[k]!;
      if (k > 0) {
        ensure(1);
        out[pos++] = D;
      }
      if (o.keep) {
        const f = o.at;
        const flags = fields.flags[f]!;
        if (!(flags & SPECIAL)) copy(buf, fields.start[f]!, fields.end[f]!);
        else if (flags & QUOTED) copy(buf, fields.start[f]! - 1, fields.end[f]! + 1); // the input's quoted form is the output's
        else {
          ensure(2);
          out[pos++] = QUOTE;
          copy(buf, fields.start[f]!, fields.end[f]!);
          ensure(1);
          out[pos++] = QUOTE;
        }
      } else writeCell(o.op(record[o.at]!, record, recordLine));
    }
    ensure(2);
    if (eol.length === 2) out[pos++] = CR;
    out[pos++] = LF;
  };

  /** Parses whole records of buf[from..n); returns where the first incomplete record starts (n when none). */
  const parse = (buf: Buffer, from: number, n: number, final: boolean): number => {
    let i = from;
    if (first) {
      // The first physical line's ending is the output's.
      const nl = buf.indexOf(LF);
      if (nl === -1 && !final) return 0;
      if (nl === -1 ? buf[buf.length - 1] === CR : nl > 0 && buf[nl - 1] === CR) eol = "\r\n";
      first = false;
    }
    while (i < n) {
      // Blank lines carry no record.
      if (buf[i] === LF) {
        line++;
        i++;
        continue;
      }
      if (buf[i] === CR && (buf[i + 1] === LF || (i + 1 >= n && final))) {
        line++;
        i += buf[i + 1] === LF ? 2 : 1;
        continue;
      }
      const recordLine = line;
      const next = parseRecord(buf, i, n, final, recordLine);
      if (next === INCOMPLETE) {
        line = recordLine;
        return i;
      }
      emitRecord(buf, recordLine);
      i = next;
    }
    return n;
  };

  /** The line of byte `offset` of `buf`, counting from `line` at `from`. */
  const lineAt = (buf: Buffer, from: number, offset: number) => {
    let l = line;
    for (let i = buf.indexOf(LF, from); i !== -1 && i < offset; i = buf.indexOf(LF, i + 1)) l++;
    return l;
  };

  /**
   * Processes buf up to `limit` (whole lines unless `final`): the first over-long line or invalid UTF-8
   * byte is reported after every record before it, as the line-by-line parser would.
   */
  const run = (buf: Buffer, limit: number, final: boolean): number => {
    let stop = limit;
    let problem: DeidError | undefined;
    // Over-long lines (the line ending excluded): a window of maxLineBytes + 1 bytes without a line feed.
    for (let p = 0; p < limit; ) {
      const windowEnd = Math.min(p + maxLineBytes, limit - 1);
      const nl = buf.lastIndexOf(LF, windowEnd);
      if (nl >= p) {
        p = nl + 1;
        continue;
      }
      const lineEnd = buf.indexOf(LF, p);
      if ((lineEnd === -1 || lineEnd >= limit ? limit : lineEnd) - p > maxLineBytes) {
        stop = p;
        problem = new DeidError("Malformed", `line is longer than the maximum of ${maxLineBytes} bytes`, lineAt(buf, 0, p));
      }
      break;
    }
    if (!isUtf8(buf.subarray(0, stop))) {
      const bad = invalidUtf8Offset(buf.subarray(0, stop));
      if (bad === -1) {
        // A sequence cut by the end: only an error at the very end of the data.
        if (final) problem = new DeidError("Malformed", "invalid UTF-8: the file ends inside a multi-byte character", lineAt(buf, 0, stop));
      } else {
        problem = new DeidError("Malformed", "invalid UTF-8 byte sequence", lineAt(buf, 0, bad));
        // Records before the bad byte's line are still parsed (and their errors come first).
        const lineStart = buf.lastIndexOf(LF, bad - 1) + 1;
        stop = lineStart;
      }
    }
    const consumed = parse(buf, 0, stop, final && !problem);
    if (problem) throw problem;
    return consumed;
  };

  let atStart = true;
  for await (const chunk of input) {
    const bytes = toBytes(chunk);
    let buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (carry) buf = Buffer.concat([carry, buf]);
    if (atStart) {
      // A UTF-8 byte order mark is not part of the first header name (it may arrive a byte at a time).
      if (buf.length < 3 && isBomPrefix(buf)) {
        carry = Buffer.from(buf);
        continue;
      }
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      atStart = false;
    }
    out = Buffer.allocUnsafe(Math.ceil(buf.length * 1.25) + 1024);
    pos = 0;
    const limit = buf.lastIndexOf(LF) + 1;
    const consumed = run(buf, limit, false);
    carry = consumed < buf.length ? Buffer.from(buf.subarray(consumed)) : undefined;
    // The unfinished last line may already be too long.
    if (carry) {
      const lastLine = carry.lastIndexOf(LF) + 1;
      if (carry.length - lastLine > maxLineBytes) {
        // Earlier (complete) lines of a carried multi-line record were checked when they were scanned.
        throw new DeidError("Malformed", `line is longer than the maximum of ${maxLineBytes} bytes`, lineAt(carry, 0, lastLine));
      }
    }
    if (pos > 0) yield out.subarray(0, pos);
  }
  out = Buffer.allocUnsafe(carry ? carry.length * 2 + 1024 : 1024);
  pos = 0;
  if (carry) run(carry, carry.length, true);
  if (pos > 0) yield out.subarray(0, pos);
}

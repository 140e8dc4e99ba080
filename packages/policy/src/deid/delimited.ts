// CSV / TSV: an RFC 4180 parser (quoted fields, "" escapes, newlines inside quotes, CRLF) over the line
// reader, and the streaming transform. Any malformed record rejects the whole file: the error is thrown
// from the output iterator before its end, so a caller writing to a temporary object never publishes it.

import { DeidError } from "./errors.ts";
import { createKeyed, type Keyed } from "./keyed.ts";
import { defaultMaxLineBytes, LineReader, pumpLines, toBytes, type DeidInput } from "./lines.ts";
import { compileFieldRule, type RecordAccess, type ValueOp } from "./operations.ts";
import { assertValidRules, type DeidOptions, type DeidRules } from "./rules.ts";
import { transformDelimitedBytes } from "./delimited-bytes.ts";

export interface DelimitedFormat {
  /** One character; "," (default) or "\t" for TSV. */
  delimiter?: string;
  /** Longest physical line accepted, in bytes (default 1 MiB). */
  maxLineBytes?: number;
  /** Longest record accepted when quoted fields span lines (default 8 MiB). */
  maxRecordBytes?: number;
}

export interface DelimitedOptions extends DeidOptions, DelimitedFormat {}

const QUOTE = 34;
const CR = 13;
const defaultMaxRecordBytes = 8 << 20;

type RecordHandler = (fields: string[], line: number) => void;

export class DelimitedParser {
  private fields: string[] = [];
  private value = "";
  private inQuotes = false;
  private recordLine = 0;
  private recordBytes = 0;

  constructor(
    private readonly delimiter: string,
    private readonly maxRecordBytes: number,
    private readonly onRecord: RecordHandler,
  ) {
    if (delimiter.length !== 1 || /["\r\n]/.test(delimiter)) throw new DeidError("InvalidRules", "the delimiter must be one character other than a quote or a line break");
  }

  line(text: string, lineNo: number): void {
    let i: number;
    if (this.inQuotes) {
      this.recordBytes += text.length + 1;
      if (this.recordBytes > this.maxRecordBytes) throw new DeidError("Malformed", `a quoted field makes the record longer than ${this.maxRecordBytes} bytes (is a quote missing?)`, this.recordLine);
      i = this.quoted(text, 0);
      if (i === -1) return;
      i = this.afterQuote(text, i, lineNo);
      if (i === -1) return this.finish();
    } else {
      if (text === "" || text === "\r") return; // blank lines carry no record
      this.fields = [];
      this.recordLine = lineNo;
      this.recordBytes = text.length;
      i = 0;
    }
    const d = this.delimiter;
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        this.value = "";
        i = this.quoted(text, i + 1);
        if (i === -1) return;
        i = this.afterQuote(text, i, lineNo);
        if (i === -1) return this.finish();
        continue;
      }
      let end = text.indexOf(d, i);
      const last = end === -1;
      if (last) {
        end = text.length;
        if (end > i && text.charCodeAt(end - 1) === CR) end--;
      }
      const field = text.slice(i, end);
      if (field.includes('"')) throw new DeidError("Malformed", `broken quoting: a quote inside unquoted field ${this.fields.length + 1}`, lineNo);
      this.fields.push(field);
      if (last) return this.finish();
      i = end + 1;
    }
  }

  end(): void {
    if (this.inQuotes) throw new DeidError("Malformed", "broken quoting: a quoted field is never closed", this.recordLine);
  }

  /** Reads a quoted value from `from` (just after the opening quote); the index after the closing quote, or -1 if it goes on. */
  private quoted(text: string, from: number): number {
    let j = from;
    for (;;) {
      const q = text.indexOf('"', j);
      if (q === -1) {
        this.value += text.slice(j) + "\n";
        this.inQuotes = true;
        return -1;
      }
      this.value += text.slice(j, q);
      if (text.charCodeAt(q + 1) === QUOTE) {
        this.value += '"';
        j = q + 2;
        continue;
      }
      this.inQuotes = false;
      return q + 1;
    }
  }

  /** After a closing quote: the start of the next field, or -1 at the end of the record. */
  private afterQuote(text: string, i: number, lineNo: number): number {
    this.fields.push(this.value);
    this.value = "";
    if (i === text.length || (i === text.length - 1 && text.charCodeAt(i) === CR)) return -1;
    if (text[i] === this.delimiter) return i + 1;
    throw new DeidError("Malformed", `broken quoting: unexpected text after the closing quote of field ${this.fields.length}`, lineNo);
  }

  private finish(): void {
    const fields = this.fields;
    this.fields = [];
    this.onRecord(fields, this.recordLine);
  }
}

/** A value as a CSV / TSV cell: quoted (quotes doubled) when it holds a quote, the delimiter or a line break. */
export function cellFormatter(delimiter: string): (value: string) => string {
  const d = delimiter.charCodeAt(0);
  return (s) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === QUOTE || c === d || c === 10 || c === CR) return `"${s.replaceAll('"', '""')}"`;
    }
    return s;
  };
}

export function rowFormatter(delimiter: string): (fields: readonly string[]) => string {
  const cell = cellFormatter(delimiter);
  return (fields) => {
    let row = "";
    for (let i = 0; i < fields.length; i++) row = i === 0 ? cell(fields[i]!) : row + delimiter + cell(fields[i]!);
    return row;
  };
}

export interface TabularPlan {
  readonly width: number;
  readonly outputHeader: string[];
  transform(fields: string[], line: number | undefined): string[];
  /** The transformed row as delimited text (no line ending), built without intermediate arrays. */
  formatRow(fields: string[], line: number | undefined): string;
  /** Output columns in order: the input column, its operation, and whether it is kept as is. */
  readonly outputs: readonly { at: number; op: ValueOp<string[]>; keep: boolean }[];
  /** Input columns other rules read (date-shift subjects, names for redaction). */
  readonly referenced: ReadonlySet<number>;
}

export function compileTabular(header: string[], rules: DeidRules, keyed: Keyed, line?: number, delimiter = ","): TabularPlan {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (index.has(name)) throw new DeidError("Malformed", `column "${name}" appears twice in the header`, line);
    index.set(name, i);
  });
  const columns = rules.tabular?.columns ?? {};
  const fallback = rules.tabular?.defaultAction ?? rules.defaultAction ?? "drop";
  const referenced = new Set<number>();
  const column = (ref: string, field: string) => {
    const i = index.get(ref);
    if (i === undefined) throw new DeidError("InvalidRules", `the rule for column "${field}" reads column "${ref}", which this file lacks`, line, field);
    referenced.add(i);
    return i;
  };
  const access: RecordAccess<string[]> = {
    resolve(ref, field) {
      const i = column(ref, field);
      return (fields) => [fields[i]!];
    },
    resolveOne(ref, field) {
      const i = column(ref, field);
      return (fields) => fields[i]!;
    },
  };
  const kept: { at: number; op: ValueOp<string[]>; keep: boolean }[] = [];
  header.forEach((name, at) => {
    const rule = Object.hasOwn(columns, name) ? columns[name]! : { action: fallback };
    const op = compileFieldRule(rule, name, rules, keyed, access);
    if (op) kept.push({ at, op, keep: rule.action === "keep" });
  });
  const ats = kept.map((k) => k.at);
  const ops = kept.map((k) => k.op);
  const cell = cellFormatter(delimiter);
  return {
    outputs: kept,
    referenced,
    width: header.length,
    outputHeader: kept.map(({ at }) => header[at]!),
    transform: (fields, line) => kept.map(({ at, op }) => op(fields[at]!, fields, line)),
    formatRow(fields, line) {
      let row = "";
      for (let k = 0; k < ats.length; k++) {
        const value = cell(ops[k]!(fields[ats[k]!]!, fields, line));
        row = k === 0 ? value : row + delimiter + value;
      }
      return row;
    },
  };
}

/** Parses a delimited stream into (fields, line) batches, one batch per input chunk (async steps stay few). */
async function* delimitedBatches(input: DeidInput, format: DelimitedFormat): AsyncGenerator<[fields: string[], line: number][]> {
  const reader = new LineReader(format.maxLineBytes ?? defaultMaxLineBytes);
  let batch: [string[], number][] = [];
  const parser = new DelimitedParser(format.delimiter ?? ",", format.maxRecordBytes ?? defaultMaxRecordBytes, (fields, line) => batch.push([fields, line]));
  const onLine = (text: string, n: number) => parser.line(text, n);
  for await (const chunk of input) {
    reader.feed(toBytes(chunk), onLine);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  reader.end(onLine);
  parser.end();
  if (batch.length > 0) yield batch;
}

/** Every record of a delimited stream, the header row first, with the line it starts on. */
export async function* readDelimitedRows(input: DeidInput, format: DelimitedFormat = {}): AsyncGenerator<[fields: string[], line: number]> {
  for await (const batch of delimitedBatches(input, format)) yield* batch;
}

/** The records of a delimited stream as objects keyed by header name (for k-anonymity and previews). */
export async function* readDelimited(input: DeidInput, format: DelimitedFormat = {}): AsyncGenerator<Record<string, string>> {
  let header: string[] | undefined;
  for await (const batch of delimitedBatches(input, format)) {
    const records: Record<string, string>[] = [];
    for (const [fields, line] of batch) {
      if (!header) {
        header = fields;
        continue;
      }
      if (fields.length !== header.length) throw new DeidError("Malformed", `row has ${fields.length} fields, the header has ${header.length}`, line);
      const record: Record<string, string> = {};
      header.forEach((name, i) => (record[name] = fields[i]!));
      records.push(record);
    }
    yield* records;
  }
}

/**
 * De-identifies a CSV / TSV stream. The header row names the columns the rules address; dropped columns
 * leave the output header too. Line endings follow the input's first line. Runs over bytes
 * (delimited-bytes.ts); transformDelimitedLines is the reference it is tested against.
 */
export function transformDelimited(input: DeidInput, rules: DeidRules, options: DelimitedOptions): AsyncGenerator<Buffer> {
  return transformDelimitedBytes(input, rules, options);
}

/** The line-and-string implementation: simpler, slower, and the reference for the byte transform's tests. */
export async function* transformDelimitedLines(input: DeidInput, rules: DeidRules, options: DelimitedOptions): AsyncGenerator<Buffer> {
  assertValidRules(rules);
  const keyed = createKeyed(rules, options);
  const delimiter = options.delimiter ?? ",";
  const format = rowFormatter(delimiter);
  let plan: TabularPlan | undefined;
  let eol = "\n";
  let out = "";
  const parser = new DelimitedParser(delimiter, options.maxRecordBytes ?? defaultMaxRecordBytes, (fields, line) => {
    if (!plan) {
      plan = compileTabular(fields, rules, keyed, line, delimiter);
      out += format(plan.outputHeader) + eol;
      return;
    }
    if (fields.length !== plan.width) throw new DeidError("Malformed", `row has ${fields.length} fields, the header has ${plan.width}`, line);
    out += plan.formatRow(fields, line) + eol;
  });
  let first = true;
  const onLine = (text: string, n: number) => {
    if (first) {
      first = false;
      if (text.endsWith("\r")) eol = "\r\n";
    }
    parser.line(text, n);
  };
  const take = () => {
    const text = out;
    out = "";
    return text;
  };
  yield* pumpLines(input, options.maxLineBytes ?? defaultMaxLineBytes, onLine, take, () => parser.end());
}

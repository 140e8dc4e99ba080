// JSON documents (parsed whole, up to a size bound) and NDJSON (one record per line, streamed). Rules
// address fields by JSON path; a field with no rule of its own takes its nearest ruled ancestor's rule,
// else the default. A container is dropped only by a rule of its own, so deeper rules still apply.

import { DeidError } from "./errors.ts";
import { createKeyed, type Keyed } from "./keyed.ts";
import { matchesPath, parseJsonPath, valuesAt, type PathSegment } from "./json-path.ts";
import { defaultMaxLineBytes, invalidUtf8Offset, pumpLines, toBytes, type DeidInput } from "./lines.ts";
import { compileFieldRule, type RecordAccess, type ValueOp } from "./operations.ts";
import { assertValidRules, type DeidOptions, type DeidRules, type FieldRule } from "./rules.ts";

export interface JsonOptions extends DeidOptions {
  /** Whole JSON documents over this are rejected (default 64 MiB). */
  maxDocumentBytes?: number;
  /** NDJSON: longest line accepted (default 1 MiB). */
  maxLineBytes?: number;
}

const DROP = Symbol("drop");
const defaultMaxDocumentBytes = 64 << 20;

interface CompiledField {
  path: PathSegment[];
  text: string;
  rule: FieldRule;
  op: ValueOp<unknown> | undefined;
  /** Fewer wildcards = more specific: it wins when two rules match. */
  wildcards: number;
}

export type JsonRecordTransform = (record: unknown, line: number | undefined) => unknown;

const scalarText = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);

export function compileJson(rules: DeidRules, keyed: Keyed): JsonRecordTransform {
  const access: RecordAccess<unknown> = {
    resolve(ref) {
      const path = parseJsonPath(ref) as PathSegment[]; // validated by assertValidRules
      return (record) => valuesAt(record, path).flatMap((v) => scalarText(v) ?? []);
    },
  };
  const fields: CompiledField[] = Object.entries(rules.json?.fields ?? {}).map(([text, rule]) => {
    const path = parseJsonPath(text) as PathSegment[];
    return { path, text, rule, op: compileFieldRule(rule, text, rules, keyed, access), wildcards: path.filter((s) => s === "*").length };
  });
  fields.sort((a, b) => a.wildcards - b.wildcards);
  const fallbackAction = rules.json?.defaultAction ?? rules.defaultAction ?? "drop";
  const fallback: CompiledField = { path: [], text: "(default)", rule: { action: fallbackAction }, op: compileFieldRule({ action: fallbackAction }, "(default)", rules, keyed, access), wildcards: 0 };
  const maxDepth = Math.max(0, ...fields.map((f) => f.path.length));

  return (record, line) => {
    const path: (string | number)[] = [];
    const walk = (node: unknown, inherited: CompiledField): unknown => {
      const own = path.length <= maxDepth ? fields.find((f) => matchesPath(f.path, path)) : undefined;
      const ruling = own ?? inherited;
      if (node !== null && typeof node === "object") {
        if (own && own.rule.action === "drop") return DROP;
        const wasEmpty = Array.isArray(node) ? node.length === 0 : Object.keys(node).length === 0;
        let result: unknown[] | Record<string, unknown>;
        if (Array.isArray(node)) {
          const out: unknown[] = [];
          node.forEach((child, i) => {
            path.push(i);
            const v = walk(child, ruling);
            path.pop();
            if (v !== DROP) out.push(v);
          });
          result = out;
        } else {
          const out: Record<string, unknown> = {};
          for (const [key, child] of Object.entries(node)) {
            path.push(key);
            const v = walk(child, ruling);
            path.pop();
            if (v !== DROP) out[key] = v;
          }
          result = out;
        }
        // A container emptied by the default rule says nothing: leave it out (unless a rule of its own keeps it).
        const isEmpty = Array.isArray(result) ? result.length === 0 : Object.keys(result).length === 0;
        return isEmpty && !wasEmpty && !own && path.length > 0 ? DROP : result;
      }
      if (!ruling.op) return DROP;
      if (ruling.rule.action === "keep" || node === null) return node;
      const text = scalarText(node)!;
      const out = ruling.op(text, record, line);
      // Values a rule left as they were keep their JSON type (an age of 45 stays a number).
      return out === text ? node : out;
    };
    const result = walk(record, fallback);
    return result === DROP ? undefined : result;
  };
}

/**
 * Where JSON.parse gave up: Node 20's messages quote the input instead of giving a position (and the input
 * may be PHI), so a small validator finds the offset of the first syntax error. Only runs on the error path.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail();
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    }
    if (ch === '"') return string();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) return void i++;
      if (c < 32) fail();
      if (c === 92) {
        const e = text[i + 1];
        if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail();
      } else i++;
    }
    fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (at) {
    return typeof at === "number" ? at : undefined;
  }
}

function lineAt(text: string, position: number | undefined): number | undefined {
  if (position === undefined) return undefined;
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < position; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** NDJSON / JSON Lines, streamed line by line; blank lines are kept out of the output. */
export async function* transformNdjson(input: DeidInput, rules: DeidRules, options: JsonOptions): AsyncGenerator<Buffer> {
  assertValidRules(rules);
  const transform = compileJson(rules, createKeyed(rules, options));
  let out = "";
  const onLine = (text: string, line: number) => {
    if (text.trim() === "") return;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      const at = jsonErrorOffset(text);
      throw new DeidError("Malformed", `not valid JSON${at === undefined ? "" : ` (at column ${at + 1})`}`, line);
    }
    const result = transform(record, line);
    if (result !== undefined) out += JSON.stringify(result) + "\n";
  };
  const take = () => {
    const text = out;
    out = "";
    return text;
  };
  yield* pumpLines(input, options.maxLineBytes ?? defaultMaxLineBytes, onLine, take);
}

/** Reads a whole JSON document (bounded), for transformJson and previews. */
export async function readJsonDocument(input: DeidInput, maxDocumentBytes = defaultMaxDocumentBytes): Promise<{ value: unknown; text: string }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of input) {
    const bytes = toBytes(chunk);
    size += bytes.length;
    if (size > maxDocumentBytes) throw new DeidError("TooLarge", `the JSON document is over ${maxDocumentBytes} bytes; use NDJSON for large data`);
    chunks.push(bytes);
  }
  const bytes = Buffer.concat(chunks);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const bad = invalidUtf8Offset(bytes);
    const at = bad === -1 ? bytes.length : bad;
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    throw new DeidError("Malformed", "invalid UTF-8 byte sequence", line);
  }
  try {
    return { value: JSON.parse(text), text };
  } catch {
    throw new DeidError("Malformed", "not valid JSON", lineAt(text, jsonErrorOffset(text)) ?? 1);
  }
}

/** A whole JSON document; the output keeps the input's style (indented or compact). */
export async function* transformJson(input: DeidInput, rules: DeidRules, options: JsonOptions): AsyncGenerator<Buffer> {
  assertValidRules(rules);
  const transform = compileJson(rules, createKeyed(rules, options));
  const { value, text } = await readJsonDocument(input, options.maxDocumentBytes);
  const result = transform(value, undefined);
  const indent = /^[[{]\s*\n/.test(text.trimStart()) ? 2 : undefined;
  yield Buffer.from((result === undefined ? "null" : JSON.stringify(result, null, indent)) + "\n", "utf8");
}

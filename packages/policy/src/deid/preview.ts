// The first rows of a file before and after its rules, for the subset editor. Reads only as far as it needs.

import { compileTabular, readDelimitedRows } from "./delimited.ts";
import { compileJson, readJsonDocument } from "./json.ts";
import { DeidError } from "./errors.ts";
import { createKeyed } from "./keyed.ts";
import { defaultMaxLineBytes, LineReader, toBytes, type DeidInput } from "./lines.ts";
import { assertValidRules, type DeidOptions, type DeidRules } from "./rules.ts";

export type PreviewKind = "tabular" | "ndjson" | "json";

export interface PreviewOptions extends DeidOptions {
  kind: PreviewKind;
  /** How many records (default 20). */
  rows?: number;
  delimiter?: string;
}

export type Preview =
  | { kind: "tabular"; columns: string[]; outputColumns: string[]; before: string[][]; after: string[][] }
  | { kind: "ndjson" | "json"; before: unknown[]; after: unknown[] };

export async function previewTransform(input: DeidInput, rules: DeidRules, options: PreviewOptions): Promise<Preview> {
  assertValidRules(rules);
  const keyed = createKeyed(rules, options);
  const limit = options.rows ?? 20;
  if (options.kind === "tabular") {
    const before: string[][] = [];
    let header: string[] | undefined;
    for await (const [fields] of readDelimitedRows(input, { delimiter: options.delimiter })) {
      if (!header) header = fields;
      else before.push(fields);
      if (before.length >= limit) break;
    }
    if (!header) return { kind: "tabular", columns: [], outputColumns: [], before: [], after: [] };
    const plan = compileTabular(header, rules, keyed);
    const after = before.map((fields, i) => {
      if (fields.length !== plan.width) throw new DeidError("Malformed", `row has ${fields.length} fields, the header has ${plan.width}`, i + 2);
      return plan.transform(fields, undefined);
    });
    return { kind: "tabular", columns: header, outputColumns: plan.outputHeader, before, after };
  }
  const transform = compileJson(rules, keyed);
  if (options.kind === "json") {
    const { value } = await readJsonDocument(input);
    return { kind: "json", before: [value], after: [transform(value, undefined) ?? null] };
  }
  const before: [unknown, number][] = [];
  const reader = new LineReader(defaultMaxLineBytes);
  const onLine = (text: string, line: number) => {
    if (text.trim() === "" || before.length >= limit) return;
    try {
      before.push([JSON.parse(text), line]);
    } catch {
      throw new DeidError("Malformed", "not valid JSON", line);
    }
  };
  for await (const chunk of input) {
    reader.feed(toBytes(chunk), onLine);
    if (before.length >= limit) break;
  }
  if (before.length < limit) reader.end(onLine);
  return { kind: "ndjson", before: before.map(([v]) => v), after: before.map(([v, line]) => transform(v, line) ?? null) };
}

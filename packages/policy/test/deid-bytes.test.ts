// The byte-level CSV transform against the line-and-string reference: random tables (quotes, escaped
// quotes, line breaks and CRs inside values, CRLF files, blank lines, non-ASCII, a BOM) and single
// defects, cut into chunks anywhere, must give the same bytes or the same error (kind, line, reason).
import { describe, expect, it } from "vitest";
import { DeidError, transformDelimited, type DeidRules } from "../src/index.ts";
import { transformDelimitedLines } from "../src/deid/delimited.ts";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pieces = ["a", "Zoë", "José", "0213", "P0001", "2024-02-29", "1950-07-04", "ok", " ", "😀", "x\ty", "555-0100", "Ava Okafor", "a@b.example"];

function table(seed: number, delimiter: string) {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const crlf = r() < 0.3;
  const eol = crlf ? "\r\n" : "\n";
  const header = ["id", "name", "birth", "zip", "note"];
  const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
  const cell = (v: string) => (/["\r\n]/.test(v) || v.includes(delimiter) || r() < 0.1 ? quote(v) : v);
  const rows: string[] = [header.map(cell).join(delimiter)];
  const n = Math.floor(r() * 25);
  for (let i = 0; i < n; i++) {
    if (r() < 0.1) rows.push(r() < 0.5 ? "" : "\r"); // blank lines
    const note = [pick(pieces), r() < 0.2 ? '"quoted"' : "", r() < 0.15 ? "line\nbreak" : "", r() < 0.1 ? "cr\rinside" : "", r() < 0.1 ? delimiter : ""].join(" ").trim();
    rows.push([`P${1000 + Math.floor(r() * 20)}`, pick(pieces), pick(["1950-07-04", "2001-12-31", "1931-01-01", ""]), pick(["02134", "10001", "03601"]), note].map(cell).join(delimiter));
  }
  let text = rows.join(eol) + (r() < 0.8 ? eol : "");
  if (r() < 0.1) text = "\ufeff" + text;
  return text;
}

const ruleSets: DeidRules[] = [
  { tabular: { columns: {}, defaultAction: "keep" } },
  { tabular: { columns: { id: { action: "hash" }, zip: { action: "generalize", to: "zip3" }, birth: { action: "generalize", to: "year", aggregateBefore: 1935 }, note: { action: "keep" } } } },
  { tabular: { columns: { id: { action: "keep" }, birth: { action: "dateShift", subject: "id" }, note: { action: "redact", namesFrom: ["name"] } } } },
  { pseudonym: { encoding: "base32", length: 12, prefix: "S-" }, tabular: { columns: { name: { action: "hash" }, note: { action: "drop" } }, defaultAction: "keep" } },
];

function chunks(bytes: Buffer, seed: number): Buffer[] {
  const r = rng(seed);
  const mode = seed % 4;
  if (mode === 0) return [bytes];
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = mode === 1 ? 1 : mode === 2 ? 7 : 1 + Math.floor(r() * 40);
    out.push(bytes.subarray(i, i + size));
    i += size;
  }
  return out;
}

async function run(transform: typeof transformDelimited, parts: Buffer[], rules: DeidRules, delimiter: string, maxLineBytes?: number) {
  try {
    const out: Buffer[] = [];
    for await (const chunk of transform(parts, rules, { secret: "a-secret-of-at-least-16-bytes", delimiter, maxLineBytes })) out.push(chunk);
    return { output: Buffer.concat(out).toString("utf8") };
  } catch (error) {
    if (!(error instanceof DeidError)) throw error;
    return { error: { kind: error.kind, line: error.line, reason: error.reason, field: error.field } };
  }
}

function defect(text: string, seed: number): Buffer {
  const r = rng(seed);
  const lines = text.split("\n");
  const at = 1 + Math.floor(r() * Math.max(1, lines.length - 2));
  switch (seed % 5) {
    case 0: // a stray quote in an unquoted field
      lines[at] = `x"y,${lines[at] ?? ""}`;
      break;
    case 1: // text after a closing quote
      lines[at] = `"a"b,${lines[at] ?? ""}`;
      break;
    case 2: // an extra field
      lines[at] = `${lines[at] ?? ""},extra`;
      break;
    case 3: // a quote never closed
      lines[at] = `"open,${lines[at] ?? ""}`;
      break;
    default: {
      // invalid UTF-8
      const bytes = Buffer.from(lines.join("\n"));
      const cut = Math.floor(bytes.length * r());
      return Buffer.concat([bytes.subarray(0, cut), Buffer.from([0xff]), bytes.subarray(cut)]);
    }
  }
  return Buffer.from(lines.join("\n"));
}

describe("the byte-level CSV transform", () => {
  it("gives the reference's bytes for random well-formed tables, however the input is cut", async () => {
    for (let seed = 1; seed <= 160; seed++) {
      const delimiter = seed % 5 === 0 ? "\t" : ",";
      const bytes = Buffer.from(table(seed, delimiter));
      const rules = ruleSets[seed % ruleSets.length]!;
      const expected = await run(transformDelimitedLines, [bytes], rules, delimiter);
      const actual = await run(transformDelimited, chunks(bytes, seed), rules, delimiter);
      expect(actual, `seed ${seed}\n${bytes.toString()}`).toEqual(expected);
    }
  });

  it("rejects each single defect with the reference's kind, line and reason", async () => {
    let errors = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const text = table(seed, ",");
      if (text.split("\n").length < 3) continue;
      // One defect at a time: with two, which is reported first depends on how the reference reads chunks.
      const rules0 = ruleSets[seed % ruleSets.length]!;
      if ((await run(transformDelimitedLines, [Buffer.from(text)], rules0, ",")).error) continue;
      const bytes = defect(text, seed);
      const rules = ruleSets[seed % ruleSets.length]!;
      const expected = await run(transformDelimitedLines, [bytes], rules, ",");
      const actual = await run(transformDelimited, chunks(bytes, seed), rules, ",");
      if (expected.error) errors++;
      expect(actual, `seed ${seed}\n${JSON.stringify(bytes.toString())}`).toEqual(expected);
    }
    expect(errors).toBeGreaterThan(80);
  });

  it("finds an over-long line at its line, also when it spans chunks", async () => {
    const text = `id,note\n1,short\n2,${"x".repeat(300)}\n3,ok\n`;
    for (const size of [1000, 64, 5]) {
      const bytes = Buffer.from(text);
      const parts: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
      const actual = await run(transformDelimited, parts, { tabular: { columns: {}, defaultAction: "keep" } }, ",", 200);
      expect(actual).toEqual({ error: { kind: "Malformed", line: 3, reason: "line is longer than the maximum of 200 bytes", field: undefined } });
    }
  });
});

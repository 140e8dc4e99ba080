// A malformed file is rejected whole: the output iterator throws a DeidError with the line and the
// reason before it ends, so a caller writing to a temporary object never publishes a partial file.
import { describe, expect, it } from "vitest";
import { DeidError, readDelimited, transformDelimited, transformJson, transformNdjson, transformVcf, type DeidRules } from "../src/index.ts";

const rules: DeidRules = { defaultAction: "keep", tabular: { columns: { id: { action: "hash" } } } };
const secret = "subset-secret-0123456789abcdef";

/** Feeds `bytes` in chunks of `size` and returns what came out before the error, and the error. */
async function failure(run: (input: Iterable<Buffer>) => AsyncIterable<Buffer>, bytes: Buffer | string, size = 5): Promise<{ error: DeidError; emitted: number }> {
  const buffer = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
  const chunks = function* () {
    for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
  };
  let emitted = 0;
  try {
    for await (const part of run(chunks())) emitted += part.length;
  } catch (error) {
    expect(error).toBeInstanceOf(DeidError);
    return { error: error as DeidError, emitted };
  }
  throw new Error("expected the transform to fail");
}

const csv = (input: Iterable<Buffer>, options: Partial<Parameters<typeof transformDelimited>[2]> = {}) => transformDelimited(input, rules, { secret, ...options });

describe("malformed CSV is rejected with a line number and a reason", () => {
  const header = "id,name,note\n";
  const good = "P1,Ann,ok\nP2,Bob,\"multi\nline\"\n";

  it("a ragged row (too few or too many fields)", async () => {
    const few = await failure(csv, `${header}${good}P3,Cy\nP4,Di,x\n`);
    expect(few.error).toMatchObject({ kind: "Malformed", line: 5, reason: "row has 2 fields, the header has 3" });
    const many = await failure(csv, `${header}P1,Ann,ok,extra\n`);
    expect(many.error).toMatchObject({ kind: "Malformed", line: 2, reason: "row has 4 fields, the header has 3" });
    expect(many.error.message).toBe("Malformed at line 2: row has 4 fields, the header has 3");
  });

  it("broken quoting: text after a closing quote, a stray quote, a quote never closed", async () => {
    expect((await failure(csv, `${header}P1,"Ann"x,ok\n`)).error).toMatchObject({ kind: "Malformed", line: 2, reason: "broken quoting: unexpected text after the closing quote of field 2" });
    expect((await failure(csv, `${header}${good}P3,An"n,ok\n`)).error).toMatchObject({ kind: "Malformed", line: 5, reason: "broken quoting: a quote inside unquoted field 2" });
    expect((await failure(csv, `${header}${good}P3,Ann,"never closed\nP4,Bo,ok\n`)).error).toMatchObject({ kind: "Malformed", line: 5, reason: "broken quoting: a quoted field is never closed" });
  });

  it("an unclosed quote cannot swallow the file: the record size is bounded", async () => {
    const body = `${header}P1,Ann,"open\n${"P2,Bob,fine\n".repeat(2000)}`;
    const { error } = await failure((input) => csv(input, { maxRecordBytes: 4096 }), body, 512);
    expect(error).toMatchObject({ kind: "Malformed", line: 2 });
    expect(error.reason).toMatch(/longer than 4096 bytes \(is a quote missing\?\)/);
  });

  it("invalid UTF-8, wherever the chunks split (also a truncated character at the end)", async () => {
    const bytes = Buffer.concat([Buffer.from(`${header}${good}P3,Zoë,ok\nP4,`), Buffer.from([0xc3, 0x28]), Buffer.from(",ok\n")]);
    for (const size of [1, 2, 3, 7, 64, 4096]) {
      expect((await failure(csv, bytes, size)).error, `chunks of ${size}`).toMatchObject({ kind: "Malformed", line: 6, reason: "invalid UTF-8 byte sequence" });
    }
    const overlong = Buffer.concat([Buffer.from(`${header}P1,`), Buffer.from([0xc0, 0xaf]), Buffer.from(",x\n")]);
    expect((await failure(csv, overlong)).error).toMatchObject({ line: 2, reason: "invalid UTF-8 byte sequence" });
    const surrogate = Buffer.concat([Buffer.from(`${header}P1,`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(",x\n")]);
    expect((await failure(csv, surrogate)).error).toMatchObject({ line: 2, reason: "invalid UTF-8 byte sequence" });
    const truncated = Buffer.concat([Buffer.from(`${header}P1,Ann,ok\nP2,Bob,`), Buffer.from([0xe2, 0x82])]);
    expect((await failure(csv, truncated)).error).toMatchObject({ line: 3, reason: "invalid UTF-8: the file ends inside a multi-byte character" });
  });

  it("a line over the maximum length, found before the line is buffered whole", async () => {
    const long = `${header}P1,Ann,ok\nP2,Bob,${"x".repeat(5000)}\nP3,Cy,ok\n`;
    expect((await failure((input) => csv(input, { maxLineBytes: 1024 }), long, 256)).error).toMatchObject({ kind: "Malformed", line: 3, reason: "line is longer than the maximum of 1024 bytes" });
    // Multi-byte text is measured in bytes, not characters.
    const wide = `${header}P1,Ann,${"é".repeat(600)}\n`;
    expect((await failure((input) => csv(input, { maxLineBytes: 1024 }), wide, 100)).error).toMatchObject({ line: 2, reason: "line is longer than the maximum of 1024 bytes" });
    // An endless line without a newline fails fast too (memory stays bounded).
    const endless = function* () {
      yield Buffer.from(header);
      for (let i = 0; i < 10_000; i++) yield Buffer.alloc(1024, 0x61);
    };
    await expect(async () => {
      for await (const _ of transformDelimited(endless(), rules, { secret, maxLineBytes: 64 * 1024 }));
    }).rejects.toMatchObject({ kind: "Malformed", line: 2 });
  });

  it("a duplicate column name in the header", async () => {
    expect((await failure(csv, "id,name,name\nP1,a,b\n")).error).toMatchObject({ kind: "Malformed", line: 1, reason: 'column "name" appears twice in the header' });
  });

  it("errors arrive through the output iterator before it ends (rows before are already out)", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `P${i},Name${i},note ${i}\n`).join("");
    const { error, emitted } = await failure(csv, `${header}${rows}P9,ragged\n`, 4096);
    expect(error.line).toBe(5002);
    expect(emitted).toBeGreaterThan(0); // the caller's temporary object has data; it must not be published
  });

  it("never quotes the offending value in the error (it may be PHI)", async () => {
    const { error } = await failure(csv, `${header}P1,"Secret Name"xyz,ok\n`);
    expect(error.message).not.toContain("Secret");
    expect(error.message).not.toContain("xyz");
  });

  it("readDelimited applies the same checks", async () => {
    await expect(async () => {
      for await (const _ of readDelimited(["a,b\n1\n"]));
    }).rejects.toMatchObject({ kind: "Malformed", line: 2 });
  });
});

describe("malformed JSON, NDJSON and VCF", () => {
  const jsonRules: DeidRules = { json: { fields: { "$.id": { action: "hash" } }, defaultAction: "keep" } };

  it("NDJSON: a bad line, with its number", async () => {
    const { error } = await failure((input) => transformNdjson(input, jsonRules, { secret }), '{"id":"a"}\n\n{"id":"b"}\n{"id": nope}\n');
    expect(error).toMatchObject({ kind: "Malformed", line: 4 });
    expect(error.reason).toMatch(/^not valid JSON/);
  });

  it("JSON: a syntax error with its line, and a document over the size bound", async () => {
    expect((await failure((input) => transformJson(input, jsonRules, { secret }), '{\n  "id": "a",\n  "x": ]\n}\n')).error).toMatchObject({ kind: "Malformed", line: 3 });
    expect((await failure((input) => transformJson(input, jsonRules, { secret, maxDocumentBytes: 100 }), JSON.stringify({ id: "x".repeat(200) }))).error).toMatchObject({ kind: "TooLarge" });
  });

  it("VCF: data before the header, a ragged record, a missing header", async () => {
    const run = (input: Iterable<Buffer>) => transformVcf(input, { vcf: {} }, { secret });
    const header = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n";
    expect((await failure(run, "##fileformat=VCFv4.2\nchr1\t1\t.\tA\tC\t.\tPASS\t.\tGT\t0/1\n")).error).toMatchObject({ line: 2, reason: "a data line before the #CHROM header" });
    expect((await failure(run, `${header}chr1\t1\t.\tA\tC\t.\tPASS\t.\tGT\n`)).error).toMatchObject({ line: 3, reason: "record has 9 columns, the header has 10" });
    expect((await failure(run, "##fileformat=VCFv4.2\n")).error).toMatchObject({ reason: "no #CHROM header line" });
  });
});

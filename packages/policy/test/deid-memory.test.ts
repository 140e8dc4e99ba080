// Memory stays flat however large the file: a 200 MB CSV, generated on the fly, streams through
// transformDelimited while the heap is sampled.
import { describe, expect, it } from "vitest";
import { transformDelimited, type DeidRules } from "../src/index.ts";

const MB = 1_000_000;

function* generatedCsv(bytes: number): Generator<Buffer> {
  yield Buffer.from("patient_id,visit,zip,age,note,lab\n");
  let sent = 0;
  let row = 0;
  while (sent < bytes) {
    let text = "";
    while (text.length < 1 << 20) {
      const i = row++;
      // Patient ids repeat (a visits table), a quoted note spans two lines every tenth row.
      text += `P${String(i % 5000).padStart(6, "0")},${i},0${String(2100 + (i % 900)).padStart(4, "0")},${20 + (i % 80)},"${i % 10 === 0 ? "line one\nline two" : "routine, stable"}",${(i % 997) / 10}\n`;
    }
    const chunk = Buffer.from(text);
    sent += chunk.length;
    yield chunk;
  }
}

describe("streaming memory", () => {
  it("transforms a 200 MB CSV with a bounded heap", { timeout: 240_000 }, async () => {
    const rules: DeidRules = { tabular: { columns: { patient_id: { action: "hash" }, zip: { action: "generalize", to: "zip3" }, age: { action: "generalize", to: "age" }, note: { action: "keep" }, lab: { action: "keep" } } } };
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let input = 0;
    let output = 0;
    let chunks = 0;
    const source = generatedCsv(200 * MB);
    const counted = (function* () {
      for (const chunk of source) {
        input += chunk.length;
        yield chunk;
      }
    })();
    for await (const part of transformDelimited(counted, rules, { secret: "subset-secret-0123456789abcdef" })) {
      output += part.length;
      if (++chunks % 8 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(input).toBeGreaterThanOrEqual(200 * MB);
    expect(output).toBeGreaterThan(100 * MB);
    // Holding the file (or the output) would take > 200 MB; a streaming transform needs a few chunks.
    expect(peak - baseline).toBeLessThan(96 * MB);
  });
});

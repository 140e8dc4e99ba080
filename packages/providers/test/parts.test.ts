import { describe, expect, it } from "vitest";
import { toParts, uploadInParts } from "../src/parts.ts";

async function* chunks(sizes: number[]) {
  let n = 0;
  for (const size of sizes) yield Buffer.alloc(size, n++ % 256);
}

describe("toParts", () => {
  it("re-slices a stream into exact part sizes", async () => {
    const sizes: number[] = [];
    for await (const part of toParts(chunks([3, 10, 1, 7]), 5)) sizes.push(part.length);
    expect(sizes).toEqual([5, 5, 5, 5, 1]);
  });

  it("yields one empty part for an empty stream", async () => {
    const parts: Buffer[] = [];
    for await (const part of toParts(chunks([]), 5)) parts.push(part);
    expect(parts.map((p) => p.length)).toEqual([0]);
  });
});

describe("uploadInParts", () => {
  it("uses one request when the body fits in a part", async () => {
    const calls: string[] = [];
    const out = await uploadInParts(Buffer.from("hello"), { partSize: 10, concurrency: 2, maxParts: 100 }, {
      single: async (b) => (calls.push(`single:${b.length}`), "done"),
      begin: async () => void calls.push("begin"),
      part: async () => "p",
      complete: async () => "multi",
      abort: async () => void calls.push("abort"),
    });
    expect(out).toMatchObject({ result: "done", size: 5, parts: 1 });
    expect(calls).toEqual(["single:5"]);
  });

  it("never has more than `concurrency` parts in flight and completes in order", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await uploadInParts(chunks(Array(20).fill(7)), { partSize: 10, concurrency: 3, maxParts: 100 }, {
      single: async () => "single",
      begin: async () => {},
      part: async (n) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 5 + (n % 3) * 3));
        inFlight--;
        return n;
      },
      complete: async (parts) => parts.join(","),
      abort: async () => {},
    });
    expect(peak).toBeLessThanOrEqual(3);
    expect(out.result).toBe("1,2,3,4,5,6,7,8,9,10,11,12,13,14");
    expect(out.size).toBe(140);
  });

  it("aborts the upload when a part fails", async () => {
    let aborted = false;
    await expect(
      uploadInParts(chunks(Array(10).fill(10)), { partSize: 10, concurrency: 2, maxParts: 100 }, {
        single: async () => "single",
        begin: async () => {},
        part: async (n) => {
          if (n === 3) throw new Error("part 3 failed");
          return n;
        },
        complete: async () => "done",
        abort: async () => void (aborted = true),
      }),
    ).rejects.toThrow("part 3 failed");
    expect(aborted).toBe(true);
  });
});

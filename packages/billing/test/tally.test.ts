import { describe, expect, it } from "vitest";
import { InventoryTally, TOP_PREFIXES } from "../src/index.ts";

// What a scan keeps (and checkpoints) does not grow with the bucket: a million keys under a hundred thousand
// prefixes leave a state of a few kilobytes.
describe("InventoryTally state", () => {
  it("stays bounded over 1,000,000 keys in 100,000 prefixes", () => {
    const tally = new InventoryTally();
    let largest = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const p = Math.floor(i / 10);
      tally.add({ key: `p${String(p).padStart(6, "0")}/s${i % 2}/k${i}`, size: (p % 997) + 1, storageClass: i % 3 ? "STANDARD" : "COOL" });
      if (i % 100_000 === 0) largest = Math.max(largest, JSON.stringify(tally.snapshot()).length);
    }
    const done = tally.finish();
    expect(done.objects).toBe(1_000_000);
    expect(done.largestPrefixes).toHaveLength(TOP_PREFIXES);
    // The biggest first-level prefixes hold 10 keys of 997 bytes each.
    expect(done.largestPrefixes[0]).toMatchObject({ objects: 10, bytes: 9970 });
    expect(largest).toBeLessThan(4_000);
  });
});

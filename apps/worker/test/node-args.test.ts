// Every worker process (npm start, npm run worker, the benchmarks) gets the same node flags, heap cap included.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { workerNodeArgs } from "../node-args.mjs";

describe("worker node flags", () => {
  it("caps the V8 heap at 1 GiB unless WORKER_MAX_OLD_SPACE_MIB says otherwise", () => {
    expect(workerNodeArgs({})).toEqual(["--max-old-space-size=1024", "--import", "tsx"]);
    expect(workerNodeArgs({ WORKER_MAX_OLD_SPACE_MIB: "2048" })[0]).toBe("--max-old-space-size=2048");
  });

  it("refuses a cap that is not a whole number of MiB, or too small to run", () => {
    expect(() => workerNodeArgs({ WORKER_MAX_OLD_SPACE_MIB: "lots" })).toThrow(/WORKER_MAX_OLD_SPACE_MIB must be a whole number of MiB/);
    expect(() => workerNodeArgs({ WORKER_MAX_OLD_SPACE_MIB: "16" })).toThrow(/at least 64/);
  });

  it("the flags reach V8: a process started with them reports the cap", () => {
    const [heapFlag] = workerNodeArgs({ WORKER_MAX_OLD_SPACE_MIB: "300" });
    const out = spawnSync(process.execPath, [heapFlag!, "-e", "console.log(require('v8').getHeapStatistics().heap_size_limit)"], { encoding: "utf8" });
    const limitMiB = Number(out.stdout.trim()) / 1048576;
    // heap_size_limit = old space cap + young generation.
    expect(limitMiB).toBeGreaterThanOrEqual(300);
    expect(limitMiB).toBeLessThan(400);
  });
});

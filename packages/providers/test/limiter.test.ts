import { describe, expect, it } from "vitest";
import { ObjectStoreError } from "../src/errors.ts";
import { limitedRetry, type RequestLimiter } from "../src/limiter.ts";
import { resolveRetryPolicy } from "../src/retry.ts";

describe("limitedRetry", () => {
  it("takes a token for every attempt and reports Throttled answers to the limiter", async () => {
    let acquired = 0;
    const reported: number[] = [];
    const limiter: RequestLimiter = { acquire: async () => void acquired++, throttled: (ms) => reported.push(ms) };
    let calls = 0;
    const result = await limitedRetry(
      async () => {
        calls++;
        if (calls === 1) throw new ObjectStoreError("Throttled", "SlowDown", { provider: "s3", retryAfterMs: 300 });
        if (calls === 2) throw new ObjectStoreError("Transient", "reset", { provider: "s3" });
        return "ok";
      },
      resolveRetryPolicy({ baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 300 }),
      (e) => e as ObjectStoreError,
      limiter,
    );
    expect(result).toBe("ok");
    expect(acquired).toBe(3);
    // Only the throttle is reported, with at least the server's Retry-After.
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeGreaterThanOrEqual(300);
  });
});

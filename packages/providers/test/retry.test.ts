import { describe, expect, it } from "vitest";
import { ObjectStoreError } from "../src/errors.ts";
import { backoffDelay, resolveRetryPolicy, withRetry } from "../src/retry.ts";

const policy = resolveRetryPolicy({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 });
const err = (kind: ObjectStoreError["kind"], retryAfterMs?: number) => new ObjectStoreError(kind, kind, { provider: "s3", retryAfterMs });

describe("backoffDelay (full jitter)", () => {
  it("stays within [0, min(max, base * 2^n)]", () => {
    expect(backoffDelay(1, policy, undefined, () => 0.999)).toBe(99);
    expect(backoffDelay(2, policy, undefined, () => 0.999)).toBe(199);
    expect(backoffDelay(3, policy, undefined, () => 0.999)).toBe(399);
    expect(backoffDelay(10, policy, undefined, () => 0.999)).toBe(999); // capped
    expect(backoffDelay(3, policy, undefined, () => 0)).toBe(0);
  });

  it("never waits less than Retry-After, capped by maxRetryAfterMs", () => {
    expect(backoffDelay(1, policy, 2000, () => 0.5)).toBe(2000);
    expect(backoffDelay(1, policy, 60_000, () => 0.5)).toBe(5000);
  });
});

describe("withRetry", () => {
  it("retries Throttled and Transient up to maxAttempts, then reports attempts", async () => {
    let calls = 0;
    const delays: number[] = [];
    const promise = withRetry(
      async () => {
        calls++;
        throw err(calls % 2 ? "Throttled" : "Transient");
      },
      { ...policy, baseDelayMs: 1, maxDelayMs: 2 },
      (e) => e as ObjectStoreError,
      { onRetry: (_e, _n, d) => delays.push(d) },
    );
    await expect(promise).rejects.toMatchObject({ kind: "Transient", attempts: 4 });
    expect(calls).toBe(4);
    expect(delays).toHaveLength(3);
  });

  it("does not retry other kinds", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw err("AccessDenied");
        },
        policy,
        (e) => e as ObjectStoreError,
      ),
    ).rejects.toMatchObject({ kind: "AccessDenied", attempts: 1 });
    expect(calls).toBe(1);
  });

  it("succeeds after transient failures and maps raw errors", async () => {
    let calls = 0;
    const value = await withRetry(
      async () => {
        if (++calls < 3) throw new Error("boom");
        return "ok";
      },
      { ...policy, baseDelayMs: 1 },
      () => err("Transient"),
    );
    expect(value).toBe("ok");
    expect(calls).toBe(3);
  });

  it("honours Retry-After", async () => {
    let calls = 0;
    const started = Date.now();
    await withRetry(
      async () => {
        if (++calls === 1) throw err("Throttled", 300);
        return calls;
      },
      { ...policy, baseDelayMs: 1 },
      (e) => e as ObjectStoreError,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

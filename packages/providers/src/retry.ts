// Our own retry loop (SDK retries are turned off) so every provider backs off the same, testable way.
import { ObjectStoreError, isAbortError } from "./errors.ts";

export interface RetryPolicy {
  /** Total tries including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After above this is capped, so a hostile header cannot park a worker for hours. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

export function resolveRetryPolicy(partial?: Partial<RetryPolicy>): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  policy.maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  return policy;
}

/**
 * Delay before retry number `retry` (1 = first retry): full jitter, random in [0, min(max, base * 2^(retry-1))],
 * but never shorter than the server's Retry-After.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = Math.floor(random() * ceiling);
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface RetryHooks {
  signal?: AbortSignal;
  /** Called before each wait; tests and logs use it. */
  onRetry?: (error: ObjectStoreError, attempt: number, delayMs: number) => void;
  random?: () => number;
}

/** Runs `fn`, mapping failures with `mapError`; retries Throttled and Transient kinds. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  mapError: (error: unknown) => ObjectStoreError,
  hooks: RetryHooks = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (raw) {
      if (isAbortError(raw) || hooks.signal?.aborted) throw raw;
      const error = raw instanceof ObjectStoreError ? raw : mapError(raw);
      error.attempts = attempt;
      if (!error.retryable || attempt >= policy.maxAttempts) {
        if (error.retryable && attempt > 1 && !error.message.includes("attempt")) {
          error.message += ` (gave up after ${attempt} attempts)`;
        }
        throw error;
      }
      const delay = backoffDelay(attempt, policy, error.retryAfterMs, hooks.random);
      hooks.onRetry?.(error, attempt, delay);
      await sleep(delay, hooks.signal);
    }
  }
}

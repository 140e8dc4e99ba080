// Request-rate limits are the host's business (a worker fleet shares them through Redis); a store only asks
// before each request and reports when the provider said "slow down".
import type { ObjectStoreError } from "./errors.ts";
import type { ProviderName } from "./object-store.ts";
import { withRetry, type RetryPolicy } from "./retry.ts";

export interface RequestLimiter {
  /** Resolves when one more request may be sent to the account. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** The provider throttled a request: hold the account's requests back for about `delayMs`. */
  throttled(delayMs: number): void;
}

/** What a store needs besides its configuration: objects that live in the host, not in settings. */
export interface StoreRuntime {
  limiter?: RequestLimiter;
}

/**
 * Requests per second an account gets when it sets no limit of its own: the providers' documented per-bucket /
 * per-account request rates (AWS S3 3,500 writes per prefix, Azure 20,000 per storage account, GCS 1,000
 * object writes per bucket before it scales up). Local disks are not limited.
 */
export const DEFAULT_REQUESTS_PER_SECOND: Record<ProviderName, number | null> = { s3: 3500, azure: 20_000, gcs: 1000, local: null };

/** withRetry with every attempt (retries too) taking a token from the limiter, and Throttled answers reported to it. */
export function limitedRetry<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  mapError: (error: unknown) => ObjectStoreError,
  limiter: RequestLimiter | undefined,
  signal?: AbortSignal,
): Promise<T> {
  if (!limiter) return withRetry(fn, policy, mapError, { signal });
  return withRetry(
    async () => {
      await limiter.acquire(signal);
      return fn();
    },
    policy,
    mapError,
    { signal, onRetry: (error, _attempt, delayMs) => error.kind === "Throttled" && limiter.throttled(Math.max(delayMs, error.retryAfterMs ?? 0)) },
  );
}

// Limits the whole worker fleet shares: requests per second per storage account, and bytes per second per
// migration (its bandwidth cap, across all its shards and workers). Each is a token bucket kept in Redis and
// updated atomically by a script, on Redis's clock; a process leases tokens a few at a time, so the common case
// costs no round trip.
import { DEFAULT_REQUESTS_PER_SECOND, sleep, type RequestLimiter } from "@crossdock/providers";
import type { StorageAccount } from "@crossdock/db";
import { TokenBucket, type ByteBudget } from "./throttle.ts";

/** The one Redis call the buckets make (ioredis' `eval` has this shape). */
export interface RedisEval {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

// KEYS[1]: the bucket. ARGV: rate per second, burst, tokens wanted, penalty ms (0 = none).
// Returns {granted, waitMs}: granted > 0, or nothing and how long until a token is due.
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local penalty = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(v[1]) or burst
local ts = tonumber(v[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
if penalty > 0 then tokens = math.min(tokens, -rate * penalty / 1000) end
local granted = 0
local wait = 0
if tokens >= 1 then
  granted = math.min(want, math.floor(tokens))
  tokens = tokens - granted
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], 60000 + math.ceil(burst * 1000 / rate))
return {granted, wait}
`;

/**
 * A token bucket in Redis shared by every process using the same key. Tokens are leased in batches of `lease`
 * (a twentieth of a second's worth by default), so a process asks Redis about twenty times a second at most;
 * the fleet as a whole never exceeds `rate` per second beyond the burst and the tokens leased but not yet used.
 */
export class SharedTokenBucket {
  private leased = 0;
  private queue: Promise<void> = Promise.resolve();
  private penaltyMs = 0;
  readonly lease: number;
  readonly burst: number;

  constructor(
    private readonly redis: RedisEval,
    private readonly key: string,
    readonly rate: number,
    options: { burst?: number; lease?: number } = {},
  ) {
    this.lease = Math.max(1, Math.floor(options.lease ?? rate / 20));
    this.burst = Math.max(this.lease, Math.floor(options.burst ?? rate / 10));
  }

  /** Resolves once `amount` tokens are taken; callers in this process are served in order. */
  take(amount = 1, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
      let needed = amount;
      while (needed > 0) {
        if (this.leased > 0) {
          const used = Math.min(this.leased, needed);
          this.leased -= used;
          needed -= used;
          continue;
        }
        const penalty = this.penaltyMs;
        this.penaltyMs = 0;
        const [granted, waitMs] = (await this.redis.eval(TAKE, 1, this.key, this.rate, this.burst, Math.max(needed, this.lease), penalty)) as [number, number];
        if (granted > 0) this.leased += granted;
        else await sleep(Math.max(5, waitMs), signal);
      }
    });
    this.queue = turn.catch(() => {});
    return turn;
  }

  /** Everyone sharing the key waits about `ms` (the provider throttled us); leases held here are dropped. */
  penalize(ms: number): void {
    this.leased = 0;
    this.penaltyMs = Math.max(this.penaltyMs, Math.ceil(ms));
    // Applied with the next take; if nobody here takes soon, apply it now so the rest of the fleet waits too.
    void this.redis.eval(TAKE, 1, this.key, this.rate, this.burst, 0, this.penaltyMs).then(
      () => (this.penaltyMs = 0),
      () => {},
    );
  }
}

export interface FleetLimits {
  /** The request limiter for an account (shared with every worker), or none for an unlimited account. */
  requests(account: Pick<StorageAccount, "id" | "provider" | "requestsPerSecond">): RequestLimiter | undefined;
  /** The bandwidth budget of a migration, shared by all its shards on every worker. */
  bandwidth(migrationId: string, bytesPerSecond: number): ByteBudget;
}

/** Requests per second an account is held to: its own setting, else its provider's default; 0 = unlimited. */
export function accountRequestRate(account: Pick<StorageAccount, "provider" | "requestsPerSecond">): number | null {
  if (account.requestsPerSecond !== null && account.requestsPerSecond !== undefined) return account.requestsPerSecond > 0 ? account.requestsPerSecond : null;
  return DEFAULT_REQUESTS_PER_SECOND[account.provider];
}

/** Fleet-wide limits over Redis (the worker's); one bucket object per key per process. */
export function redisFleetLimits(redis: RedisEval, prefix: string): FleetLimits {
  const buckets = new Map<string, SharedTokenBucket>();
  const bucket = (key: string, rate: number, options?: { burst?: number; lease?: number }) => {
    const full = `${prefix}:limits:${key}:${rate}`;
    let b = buckets.get(full);
    if (!b) buckets.set(full, (b = new SharedTokenBucket(redis, full, rate, options)));
    return b;
  };
  return {
    requests(account) {
      const rate = accountRequestRate(account);
      if (rate === null) return undefined;
      const b = bucket(`account:${account.id}`, rate);
      return { acquire: (signal) => b.take(1, signal), throttled: (ms) => b.penalize(ms) };
    },
    bandwidth(migrationId, bytesPerSecond) {
      // Leases of at least 64 KiB (one read chunk), at most a twentieth of a second's worth.
      const b = bucket(`migration:${migrationId}:bytes`, bytesPerSecond, { lease: Math.max(64 * 1024, bytesPerSecond / 20), burst: Math.max(128 * 1024, bytesPerSecond / 10) });
      return { take: (bytes) => b.take(bytes) };
    },
  };
}

/** Limits within one process (tests and single-process hosts without Redis): same rules, nothing shared. */
export function localFleetLimits(): FleetLimits {
  const budgets = new Map<string, TokenBucket>();
  const get = (key: string, rate: number) => {
    let b = budgets.get(key);
    if (!b) budgets.set(key, (b = new TokenBucket(rate, Math.max(1, rate / 10))));
    return b;
  };
  return {
    requests(account) {
      const rate = accountRequestRate(account);
      if (rate === null) return undefined;
      const b = get(`account:${account.id}:${rate}`, rate);
      return { acquire: () => b.take(1), throttled: () => {} };
    },
    bandwidth(migrationId, bytesPerSecond) {
      return get(`migration:${migrationId}:${bytesPerSecond}`, bytesPerSecond);
    },
  };
}

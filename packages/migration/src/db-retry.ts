// Database errors that say "try again" (pool exhausted, connection dropped, deadlock) rather than "this is wrong".
// The engine retries them a few times; after that they fail the shard (retried as a whole), never an object.

/**
 * Prisma codes worth retrying: P1001 can't reach the server, P1002 timed out reaching it, P1008 operation timed
 * out, P1017 server closed the connection, P2024 timed out waiting for a pooled connection, P2028 "Unable to
 * start a transaction in the given time", P2034 write conflict or deadlock.
 */
const TRANSIENT_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2034"]);
/** Node socket errors and PostgreSQL SQLSTATEs (serialization failure, deadlock, admin shutdown, too many connections). */
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "40001", "40P01", "57P01", "57P02", "57P03", "53300", "08000", "08003", "08006"]);
// A raw statement (the recording flush) fails as P2010 "Raw query failed. Code: `40P01`. Message: `deadlock detected`":
// PostgreSQL's own words for a deadlock and a serialization failure say it.
const TRANSIENT_MESSAGE = /Unable to start a transaction in the given time|Connection terminated|connection (?:was )?closed|Connection reset|ECONNRESET|Timed out fetching a new connection|server closed the connection unexpectedly|terminating connection due to administrator command|deadlock detected|could not serialize access/i;

/** Whether a database error is worth retrying (walks the cause chain: adapters wrap the driver's error). */
export function isTransientDbError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = error; e && typeof e === "object" && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const { code, errorCode, message, meta } = e as { code?: unknown; errorCode?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } };
    if (typeof code === "string" && (TRANSIENT_PRISMA_CODES.has(code) || TRANSIENT_CODES.has(code))) return true;
    // Raw statements (P2010) carry PostgreSQL's SQLSTATE in the adapter's cause.
    const sqlState = meta?.driverAdapterError?.cause?.originalCode;
    if (typeof sqlState === "string" && TRANSIENT_CODES.has(sqlState)) return true;
    if (typeof errorCode === "string" && TRANSIENT_PRISMA_CODES.has(errorCode)) return true;
    if (typeof message === "string" && TRANSIENT_MESSAGE.test(message)) return true;
  }
  return false;
}

export interface DbRetryOptions {
  /** Attempts in all (the first included). */
  attempts?: number;
  baseDelayMs?: number;
}

/**
 * Runs `operation`, retrying transient database errors with backoff. Only for operations that are safe to repeat
 * (idempotent writes, reads): a retry after a lost COMMIT acknowledgement runs it a second time.
 */
export async function withDbRetry<T>(operation: () => Promise<T>, { attempts = 4, baseDelayMs = 250 }: DbRetryOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isTransientDbError(error)) throw error;
      const delay = baseDelayMs * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
    }
  }
}

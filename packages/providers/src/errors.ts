// Every failure leaves this package as an ObjectStoreError whose `kind` the UI can explain.
import type { ProviderName } from "./object-store.ts";

export const ERROR_KINDS = [
  "InvalidCredentials",
  "AccessDenied",
  "BucketNotFound",
  "ObjectNotFound",
  "Throttled",
  "Transient",
  "Permanent",
  "InvalidKey",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ObjectStoreErrorOptions {
  provider: ProviderName;
  cause?: unknown;
  bucket?: string;
  key?: string;
  endpoint?: string;
  /** Throttled: how long the provider asked us to wait. */
  retryAfterMs?: number;
  /** Provider's own error code (NoSuchKey, ContainerNotFound, ...). */
  code?: string;
  status?: number;
}

export class ObjectStoreError extends Error {
  override readonly name = "ObjectStoreError";
  readonly kind: ErrorKind;
  readonly provider: ProviderName;
  readonly bucket?: string;
  readonly key?: string;
  readonly endpoint?: string;
  readonly retryAfterMs?: number;
  readonly code?: string;
  readonly status?: number;
  /** Attempts made before giving up (set by the retry loop). */
  attempts?: number;

  constructor(kind: ErrorKind, message: string, options: ObjectStoreErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.provider = options.provider;
    this.bucket = options.bucket;
    this.key = options.key;
    this.endpoint = options.endpoint;
    this.retryAfterMs = options.retryAfterMs;
    this.code = options.code;
    this.status = options.status;
  }

  get retryable(): boolean {
    return this.kind === "Throttled" || this.kind === "Transient";
  }

  /** Safe to show in a browser: no stack, no cause chain. */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      message: this.message,
      provider: this.provider,
      bucket: this.bucket,
      key: this.key,
      code: this.code,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

export function isObjectStoreError(error: unknown, kind?: ErrorKind): error is ObjectStoreError {
  return error instanceof ObjectStoreError && (kind === undefined || error.kind === kind);
}

/** What the failed call was about; used to phrase messages. */
export interface ErrorContext {
  provider: ProviderName;
  endpoint?: string;
  bucket?: string;
  key?: string;
  operation: string;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "ESOCKETTIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

/** Finds a Node network error code (ECONNREFUSED...) anywhere in the cause chain. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    const e = current as { code?: unknown; errno?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return e.code;
    if (typeof e.errno === "string" && NETWORK_CODES.has(e.errno)) return e.errno;
    if (e.name === "TimeoutError") return "ETIMEDOUT";
    if (typeof e.message === "string") {
      const m = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH)\b/.exec(e.message);
      if (m) return m[1];
      if (/socket hang up/i.test(e.message)) return "ECONNRESET";
    }
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      const inner = networkErrorCode(e.errors[0]);
      if (inner) return inner;
    }
    current = e.cause;
  }
  return undefined;
}

const NETWORK_EXPLANATIONS: Record<string, string> = {
  ECONNREFUSED: "connection refused (nothing listens there)",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "DNS lookup failed temporarily",
  ETIMEDOUT: "connection timed out",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

export function networkError(code: string, ctx: ErrorContext, cause: unknown): ObjectStoreError {
  const where = ctx.endpoint ?? "the provider endpoint";
  const why = NETWORK_EXPLANATIONS[code] ?? code;
  return new ObjectStoreError("Transient", `Cannot reach ${where}: ${why} (${ctx.operation})`, {
    provider: ctx.provider,
    endpoint: ctx.endpoint,
    bucket: ctx.bucket,
    key: ctx.key,
    code,
    cause,
  });
}

export function isAbortError(error: unknown): boolean {
  return !!error && typeof error === "object" && (error as { name?: unknown }).name === "AbortError";
}

/** Parses Retry-After (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}

/** Shared wording so every provider explains a kind the same way. */
export function describeKind(kind: ErrorKind, ctx: ErrorContext, detail?: string): string {
  const target = ctx.key !== undefined ? `${ctx.bucket}/${ctx.key}` : (ctx.bucket ?? ctx.endpoint ?? ctx.provider);
  const suffix = detail ? ` (${detail})` : "";
  switch (kind) {
    case "InvalidCredentials":
      return `The ${ctx.provider} credentials were rejected${ctx.endpoint ? ` by ${ctx.endpoint}` : ""}${suffix}`;
    case "AccessDenied":
      return `Access denied to ${target} during ${ctx.operation}${suffix}`;
    case "BucketNotFound":
      return `Bucket ${ctx.bucket ?? "?"} does not exist${suffix}`;
    case "ObjectNotFound":
      return `Object ${target} does not exist${suffix}`;
    case "Throttled":
      return `The provider is throttling requests (${ctx.operation} ${target})${suffix}`;
    case "Transient":
      return `Temporary failure during ${ctx.operation} ${target}${suffix}`;
    case "InvalidKey":
      return `Key ${JSON.stringify(ctx.key ?? "")} is not valid here${suffix}`;
    case "Permanent":
      return `${ctx.operation} ${target} failed${suffix}`;
  }
}

/** Maps an HTTP status alone to a kind, for responses without a usable error code. */
export function kindFromStatus(status: number | undefined): ErrorKind | undefined {
  if (status === undefined) return undefined;
  if (status === 401) return "InvalidCredentials";
  if (status === 403) return "AccessDenied";
  if (status === 429 || status === 503) return "Throttled";
  if (status === 408 || status >= 500) return "Transient";
  if (status >= 400) return "Permanent";
  return undefined;
}

// Google Cloud Storage JSON API errors (and google-auth-library failures) -> ObjectStoreError kinds.
import { ObjectStoreError, describeKind, kindFromStatus, networkError, networkErrorCode, parseRetryAfter, type ErrorContext, type ErrorKind } from "../errors.ts";

interface GcsLikeError {
  code?: number | string;
  status?: number;
  message?: string;
  errors?: { reason?: string; message?: string }[];
  response?: { status?: number; statusCode?: number; headers?: Record<string, string> | { get(name: string): string | null } };
}

type Headers = Record<string, string> | { get(name: string): string | null } | undefined;

function header(headers: Headers, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === "function") return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  return (headers as Record<string, string>)[name];
}

const AUTH_FAILURE = /invalid_grant|invalid_client|unauthorized_client|DECODER routines|PEM|private key|Could not load the default credentials|invalid JWT|account not found/i;

export function mapGcsError(error: unknown, ctx: ErrorContext): ObjectStoreError {
  if (error instanceof ObjectStoreError) return error;
  const e = (error ?? {}) as GcsLikeError;
  const status = typeof e.code === "number" ? e.code : (e.status ?? e.response?.status ?? e.response?.statusCode);
  const reason = e.errors?.[0]?.reason;
  const message = (e.message ?? "").split("\n")[0] ?? "";
  if (status === undefined) {
    const net = networkErrorCode(error);
    if (net) return networkError(net, ctx, error);
  }
  let kind: ErrorKind | undefined;
  if (AUTH_FAILURE.test(message)) kind = "InvalidCredentials";
  else if (status === 404) kind = /bucket/i.test(message) && !/object/i.test(message) ? "BucketNotFound" : ctx.key !== undefined ? "ObjectNotFound" : "BucketNotFound";
  else if (status === 401) kind = "InvalidCredentials";
  else if (status === 403) kind = reason === "rateLimitExceeded" || reason === "userRateLimitExceeded" ? "Throttled" : "AccessDenied";
  else if (status === 400 && ctx.key !== undefined && /object name|invalid.*name/i.test(message)) kind = "InvalidKey";
  kind ??= kindFromStatus(status) ?? (status === undefined ? "Transient" : "Permanent");
  const retryAfterMs = parseRetryAfter(header(e.response?.headers, "retry-after"));
  const detail = [reason, status && `HTTP ${status}`, message || undefined].filter(Boolean).join(", ");
  return new ObjectStoreError(kind, describeKind(kind, ctx, detail), {
    provider: "gcs",
    bucket: ctx.bucket,
    key: ctx.key,
    endpoint: ctx.endpoint,
    code: reason ?? (typeof e.code === "string" ? e.code : undefined),
    status,
    retryAfterMs,
    cause: error,
  });
}

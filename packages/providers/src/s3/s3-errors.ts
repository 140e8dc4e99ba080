// S3 (and S3-compatible) error codes -> ObjectStoreError kinds.
import { ObjectStoreError, describeKind, kindFromStatus, networkError, networkErrorCode, parseRetryAfter, type ErrorContext, type ErrorKind } from "../errors.ts";

const BY_CODE: Record<string, ErrorKind> = {
  InvalidAccessKeyId: "InvalidCredentials",
  SignatureDoesNotMatch: "InvalidCredentials",
  InvalidToken: "InvalidCredentials",
  ExpiredToken: "InvalidCredentials",
  TokenRefreshRequired: "InvalidCredentials",
  InvalidSecurity: "InvalidCredentials",
  AuthorizationHeaderMalformed: "InvalidCredentials",
  CredentialsNotSupported: "InvalidCredentials",
  AccessDenied: "AccessDenied",
  AllAccessDisabled: "AccessDenied",
  AccountProblem: "AccessDenied",
  InvalidObjectState: "AccessDenied",
  NoSuchBucket: "BucketNotFound",
  NoSuchKey: "ObjectNotFound",
  NoSuchVersion: "ObjectNotFound",
  SlowDown: "Throttled",
  Throttling: "Throttled",
  ThrottlingException: "Throttled",
  RequestLimitExceeded: "Throttled",
  TooManyRequests: "Throttled",
  TooManyRequestsException: "Throttled",
  RequestThrottled: "Throttled",
  ServiceUnavailable: "Throttled",
  InternalError: "Transient",
  RequestTimeout: "Transient",
  RequestTimeTooSkewed: "Transient",
  OperationAborted: "Transient",
  KeyTooLongError: "InvalidKey",
  InvalidObjectName: "InvalidKey",
};

interface AwsLikeError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string> };
}

export function mapS3Error(error: unknown, ctx: ErrorContext): ObjectStoreError {
  if (error instanceof ObjectStoreError) return error;
  const e = (error ?? {}) as AwsLikeError;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const code = e.Code ?? (e.name && e.name !== "Error" && e.name !== "S3ServiceException" ? e.name : undefined);
  if (status === undefined) {
    const net = networkErrorCode(error);
    if (net) return networkError(net, ctx, error);
  }
  let kind: ErrorKind | undefined = code ? BY_CODE[code] : undefined;
  if (!kind && (code === "NotFound" || status === 404)) {
    // HEAD answers carry no body: the caller disambiguates bucket vs object when it matters.
    kind = ctx.key !== undefined ? "ObjectNotFound" : "BucketNotFound";
  }
  if (!kind && code === "Forbidden" && status === 403 && ctx.operation === "headObject") kind = "AccessDenied";
  kind ??= kindFromStatus(status) ?? (status === undefined ? "Transient" : "Permanent");
  const headers = e.$response?.headers ?? {};
  const retryAfterMs = parseRetryAfter(headers["retry-after"] ?? headers["Retry-After"]);
  const detail = [code, status && `HTTP ${status}`, e.message && e.message !== code && e.message !== "UnknownError" ? e.message : undefined].filter(Boolean).join(", ");
  return new ObjectStoreError(kind, describeKind(kind, ctx, detail), {
    provider: "s3",
    bucket: ctx.bucket,
    key: ctx.key,
    endpoint: ctx.endpoint,
    code,
    status,
    retryAfterMs: kind === "Throttled" ? (retryAfterMs ?? undefined) : retryAfterMs,
    cause: error,
  });
}

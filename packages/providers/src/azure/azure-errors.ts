// Azure Blob error codes (x-ms-error-code) -> ObjectStoreError kinds.
import { ObjectStoreError, describeKind, kindFromStatus, networkError, networkErrorCode, parseRetryAfter, type ErrorContext, type ErrorKind } from "../errors.ts";

const BY_CODE: Record<string, ErrorKind> = {
  AuthenticationFailed: "InvalidCredentials",
  InvalidAuthenticationInfo: "InvalidCredentials",
  NoAuthenticationInformation: "InvalidCredentials",
  AuthorizationFailure: "AccessDenied",
  AuthorizationPermissionMismatch: "AccessDenied",
  AuthorizationSourceIPMismatch: "AccessDenied",
  AuthorizationProtocolMismatch: "AccessDenied",
  AuthorizationResourceTypeMismatch: "AccessDenied",
  AuthorizationServiceMismatch: "AccessDenied",
  InsufficientAccountPermissions: "AccessDenied",
  AccountIsDisabled: "AccessDenied",
  ContainerNotFound: "BucketNotFound",
  ContainerBeingDeleted: "BucketNotFound",
  ContainerDisabled: "BucketNotFound",
  BlobNotFound: "ObjectNotFound",
  CannotVerifyCopySource: "ObjectNotFound",
  ServerBusy: "Throttled",
  TooManyRequests: "Throttled",
  IngressOverAccountLimit: "Throttled",
  EgressOverAccountLimit: "Throttled",
  InternalError: "Transient",
  OperationTimedOut: "Transient",
};

interface AzureLikeError {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  details?: { errorCode?: string };
  response?: { headers?: { get(name: string): string | undefined } };
}

export function mapAzureError(error: unknown, ctx: ErrorContext): ObjectStoreError {
  if (error instanceof ObjectStoreError) return error;
  const e = (error ?? {}) as AzureLikeError;
  const status = e.statusCode;
  const code = e.details?.errorCode ?? e.response?.headers?.get("x-ms-error-code") ?? (e.code && /^[A-Z]/.test(e.code) && e.code !== "REQUEST_SEND_ERROR" ? e.code : undefined);
  if (!status) {
    const net = networkErrorCode(error);
    if (net) return networkError(net, ctx, error);
  }
  let kind: ErrorKind | undefined = code ? BY_CODE[code] : undefined;
  // "Server failed to authenticate the request" is a bad key or signature, whatever the code says
  // (azurite answers a wrong shared key with AuthorizationFailure; Azure with AuthenticationFailed).
  if (status === 403 && /failed to authenticate/i.test(e.message ?? "")) kind = "InvalidCredentials";
  if (!kind && (code === "InvalidResourceName" || code === "InvalidUri") && ctx.key !== undefined) kind = "InvalidKey";
  if (!kind && status === 404) kind = ctx.key !== undefined ? "ObjectNotFound" : "BucketNotFound";
  if (!kind && status === 403 && !code) kind = "InvalidCredentials";
  kind ??= kindFromStatus(status) ?? (status === undefined ? "Transient" : "Permanent");
  const retryAfterMs = parseRetryAfter(e.response?.headers?.get("retry-after"));
  const message = e.message?.split("\n")[0];
  const detail = [code, status && `HTTP ${status}`, message && message !== code ? message : undefined].filter(Boolean).join(", ");
  return new ObjectStoreError(kind, describeKind(kind, ctx, detail), {
    provider: "azure",
    bucket: ctx.bucket,
    key: ctx.key,
    endpoint: ctx.endpoint,
    code,
    status,
    retryAfterMs,
    cause: error,
  });
}

import { describe, expect, it } from "vitest";
import { mapAzureError } from "../src/azure/azure-errors.ts";
import { parseRetryAfter, type ErrorContext } from "../src/errors.ts";
import { mapGcsError } from "../src/gcs/gcs-errors.ts";
import { mapS3Error } from "../src/s3/s3-errors.ts";

const ctx = (provider: ErrorContext["provider"], key?: string): ErrorContext => ({ provider, endpoint: "http://127.0.0.1:9", operation: "headObject", bucket: "b", key });
const s3 = (name: string, status: number, headers: Record<string, string> = {}) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, $response: { statusCode: status, headers } });
const azure = (code: string | undefined, statusCode: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(code ?? "error"), { name: "RestError", code, statusCode, details: code ? { errorCode: code } : undefined, response: { headers: { get: (n: string) => headers[n] } } });
const gcs = (code: number, message: string, reason?: string) => Object.assign(new Error(message), { code, errors: reason ? [{ reason, message }] : [] });
const net = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });

describe("S3 error mapping", () => {
  it.each([
    ["InvalidAccessKeyId", 403, "InvalidCredentials"],
    ["SignatureDoesNotMatch", 403, "InvalidCredentials"],
    ["ExpiredToken", 400, "InvalidCredentials"],
    ["AccessDenied", 403, "AccessDenied"],
    ["NoSuchBucket", 404, "BucketNotFound"],
    ["NoSuchKey", 404, "ObjectNotFound"],
    ["SlowDown", 503, "Throttled"],
    ["TooManyRequests", 429, "Throttled"],
    ["InternalError", 500, "Transient"],
    ["KeyTooLongError", 400, "InvalidKey"],
    ["InvalidArgument", 400, "Permanent"],
    ["SomethingNew", 502, "Transient"],
  ])("%s (%i) -> %s", (name, status, kind) => {
    const e = mapS3Error(s3(name, status), ctx("s3", "k"));
    expect(e.kind).toBe(kind);
    expect(e.provider).toBe("s3");
    expect(e.code).toBe(name);
    expect(e.cause).toBeDefined();
  });

  it("tells a missing object from a missing bucket on body-less HEAD 404s by context", () => {
    expect(mapS3Error(s3("NotFound", 404), ctx("s3", "k")).kind).toBe("ObjectNotFound");
    expect(mapS3Error(s3("NotFound", 404), ctx("s3")).kind).toBe("BucketNotFound");
  });

  it("keeps Retry-After", () => {
    expect(mapS3Error(s3("SlowDown", 503, { "retry-after": "3" }), ctx("s3")).retryAfterMs).toBe(3000);
  });

  it("names the endpoint when it cannot be reached", () => {
    const e = mapS3Error(net("ECONNREFUSED"), ctx("s3"));
    expect(e.kind).toBe("Transient");
    expect(e.message).toContain("http://127.0.0.1:9");
    expect(e.message).toContain("refused");
  });
});

describe("Azure error mapping", () => {
  it.each([
    ["AuthenticationFailed", 403, "InvalidCredentials"],
    ["AuthorizationPermissionMismatch", 403, "AccessDenied"],
    ["ContainerNotFound", 404, "BucketNotFound"],
    ["BlobNotFound", 404, "ObjectNotFound"],
    ["ServerBusy", 503, "Throttled"],
    ["OperationTimedOut", 500, "Transient"],
    ["InvalidResourceName", 400, "InvalidKey"],
    ["InvalidHeaderValue", 400, "Permanent"],
  ])("%s (%i) -> %s", (code, status, kind) => {
    expect(mapAzureError(azure(code, status), ctx("azure", "k")).kind).toBe(kind);
  });

  it("treats a failed signature as invalid credentials, whatever the code (azurite says AuthorizationFailure)", () => {
    const e = Object.assign(azure("AuthorizationFailure", 403), { message: "Server failed to authenticate the request. Make sure the value of the Authorization header is formed correctly including the signature." });
    expect(mapAzureError(e, ctx("azure")).kind).toBe("InvalidCredentials");
    expect(mapAzureError(azure("AuthorizationFailure", 403), ctx("azure")).kind).toBe("AccessDenied");
  });

  it("reads the code from x-ms-error-code on HEAD responses, and Retry-After", () => {
    const e = Object.assign(new Error(""), { statusCode: 503, response: { headers: { get: (n: string) => ({ "x-ms-error-code": "ServerBusy", "retry-after": "2" })[n] } } });
    const mapped = mapAzureError(e, ctx("azure", "k"));
    expect(mapped.kind).toBe("Throttled");
    expect(mapped.retryAfterMs).toBe(2000);
  });

  it("maps unreachable hosts to Transient", () => {
    const e = mapAzureError(Object.assign(new Error("getaddrinfo ENOTFOUND acct.blob.core.windows.net"), { code: "REQUEST_SEND_ERROR" }), ctx("azure"));
    expect(e.kind).toBe("Transient");
    expect(e.message).toMatch(/host name not found/);
  });
});

describe("GCS error mapping", () => {
  it.each([
    [401, "Invalid Credentials", "authError", "InvalidCredentials"],
    [403, "caller does not have storage.objects.get access", "forbidden", "AccessDenied"],
    [403, "rate", "rateLimitExceeded", "Throttled"],
    [404, "No such object: b/k", "notFound", "ObjectNotFound"],
    [404, "The specified bucket does not exist.", "notFound", "BucketNotFound"],
    [429, "Too many requests", "rateLimitExceeded", "Throttled"],
    [503, "Backend error", "backendError", "Throttled"],
    [500, "Internal", "internalError", "Transient"],
    [400, "Invalid argument", "invalid", "Permanent"],
  ])("%i %s -> %s", (code, message, reason, kind) => {
    expect(mapGcsError(gcs(code, message, reason), ctx("gcs", "k")).kind).toBe(kind);
  });

  it("treats auth-library failures as InvalidCredentials", () => {
    expect(mapGcsError(new Error("invalid_grant: Invalid JWT Signature."), ctx("gcs")).kind).toBe("InvalidCredentials");
    expect(mapGcsError(new Error("error:1E08010C:DECODER routines::unsupported"), ctx("gcs")).kind).toBe("InvalidCredentials");
  });
});

describe("parseRetryAfter", () => {
  it("parses seconds and HTTP dates", () => {
    expect(parseRetryAfter("5")).toBe(5000);
    expect(parseRetryAfter("0.5")).toBe(500);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

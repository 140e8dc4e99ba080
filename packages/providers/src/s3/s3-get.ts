// GetObject without the SDK's request pipeline: a SigV4-signed GET over a keep-alive node:http(s) agent.
//
// Why: a migration of small objects is one GET and one PUT per object, and on a worker bound by its own CPU the
// SDK's per-request cost decides the throughput. bench:migrate --profile on 10,000 x 16 KiB objects measured
// ~0.55 ms of worker CPU per SDK GetObject (middleware stack resolved per command, endpoint rules, schema serde,
// signing-key derivation, checksum middleware), against ~0.1 ms for this path. Everything else (listing, PUT,
// multipart, copy, errors with bodies the caller needs) stays on the SDK. The response is mapped to the same
// shape the SDK returns and errors go through the same mapS3Error, so callers cannot tell the two apart; the
// conformance suite runs both paths against s3rver and fauxqs.
import { createHash, createHmac } from "node:crypto";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { S3SigningConfig } from "./s3-presign.ts";

export interface S3GetConfig extends S3SigningConfig {
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
}

/** What toInfo() reads from a GetObject / HeadObject answer (the SDK's output shape). */
export interface S3GetOutput {
  Body: IncomingMessage;
  ETag?: string;
  ContentLength?: number;
  ContentRange?: string;
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  LastModified?: Date;
  Metadata: Record<string, string>;
  VersionId?: string;
  ServerSideEncryption?: string;
  SSECustomerAlgorithm?: string;
}

/** SHA-256 of an empty payload: what a GET signs (as the SDK does), accepted by every S3-compatible. */
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/** Error answers are read for their <Code>; anything longer is not an S3 error document. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** RFC 3986 unreserved characters stay; everything else is %XX (UTF-8), '/' kept between segments (S3 style). */
export function encodeS3Path(key: string): string {
  return key
    .split("/")
    .map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join("/");
}

/** A bucket name that can be a DNS label under TLS: virtual-hosted style; others fall back to path style (as the SDK). */
const VIRTUAL_HOSTABLE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

export class S3Getter {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  /** The derived signing key of the current UTC date (it changes once a day). */
  private signingKey?: { date: string; key: Buffer };

  constructor(private readonly config: S3GetConfig) {
    this.base = new URL(config.endpoint ?? `https://s3.${config.region}.amazonaws.com`);
    const secure = this.base.protocol === "https:";
    // The SDK's node handler keeps 50 sockets per host; concurrency here is bounded by the callers instead.
    this.agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 256 }) : new http.Agent({ keepAlive: true, maxSockets: 256 });
    this.request = secure ? https.request : http.request;
  }

  private target(bucket: string, key: string): { hostname: string; path: string } {
    // As the SDK addresses every other request of the account: virtual-hosted unless asked or impossible.
    const pathStyle = this.config.forcePathStyle || !VIRTUAL_HOSTABLE.test(bucket);
    const basePath = this.base.pathname.replace(/\/$/, "");
    return {
      hostname: pathStyle ? this.base.hostname : `${bucket}.${this.base.hostname}`,
      path: `${basePath}${pathStyle ? `/${encodeS3Path(bucket)}` : ""}/${encodeS3Path(key)}`,
    };
  }

  private key(date: string): Buffer {
    if (this.signingKey?.date !== date) {
      const kDate = hmac(`AWS4${this.config.secretAccessKey}`, date);
      this.signingKey = { date, key: hmac(hmac(hmac(kDate, this.config.region), "s3"), "aws4_request") };
    }
    return this.signingKey.key;
  }

  /** SigV4 (Authorization header) for a GET with no query and an empty payload. Exported for the signer test. */
  sign(host: string, path: string, extra: Record<string, string>, now = new Date()): Record<string, string> {
    const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const date = amzDate.slice(0, 8);
    const headers: Record<string, string> = { host, "x-amz-content-sha256": EMPTY_SHA256, "x-amz-date": amzDate, ...extra };
    if (this.config.sessionToken) headers["x-amz-security-token"] = this.config.sessionToken;
    const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
    const lower = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v]));
    const canonicalHeaders = names.map((n) => `${n}:${lower[n]!.trim().replace(/\s+/g, " ")}\n`).join("");
    const signedHeaders = names.join(";");
    const canonicalRequest = `GET\n${path}\n\n${canonicalHeaders}\n${signedHeaders}\n${EMPTY_SHA256}`;
    const scope = `${date}/${this.config.region}/s3/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash("sha256").update(canonicalRequest, "utf8").digest("hex")}`;
    const signature = createHmac("sha256", this.key(date)).update(stringToSign, "utf8").digest("hex");
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.config.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }

  /**
   * GET bucket/key (optionally a `bytes=` range). Resolves once the headers are in, with the body still streaming;
   * an error answer rejects with an error shaped like the SDK's (name = S3 code, $metadata, $response).
   */
  get(bucket: string, key: string, range: string | undefined, signal?: AbortSignal): Promise<S3GetOutput> {
    const { hostname, path } = this.target(bucket, key);
    const host = this.base.port ? `${hostname}:${this.base.port}` : hostname;
    const headers = this.sign(host, path, range ? { range } : {});
    return new Promise<S3GetOutput>((resolve, reject) => {
      const req = this.request({ protocol: this.base.protocol, hostname, port: this.base.port || undefined, path, method: "GET", headers, agent: this.agent, signal });
      let connectTimer: NodeJS.Timeout | undefined;
      req.on("socket", (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => req.destroy(Object.assign(new Error(`connection to ${host} timed out`), { code: "ETIMEDOUT" })), this.config.connectionTimeoutMs);
        socket.once("connect", () => clearTimeout(connectTimer));
      });
      // Idle socket time, while waiting for headers and while the body streams (the SDK's requestTimeout).
      req.setTimeout(this.config.requestTimeoutMs, () => req.destroy(Object.assign(new Error(`no data from ${host} for ${this.config.requestTimeoutMs} ms`), { code: "ETIMEDOUT" })));
      req.on("error", (error) => {
        clearTimeout(connectTimer);
        reject(error);
      });
      req.on("response", (res) => {
        clearTimeout(connectTimer);
        const status = res.statusCode ?? 0;
        if (status === 200 || status === 206) return resolve(toOutput(res));
        readErrorBody(res).then(
          (body) => reject(errorFrom(status, res, body)),
          (error: unknown) => reject(error),
        );
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

function toOutput(res: IncomingMessage): S3GetOutput {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (name.startsWith("x-amz-meta-") && value !== undefined) metadata[name.slice(11)] = Array.isArray(value) ? value.join(", ") : value;
  }
  const length = header(res, "content-length");
  const modified = header(res, "last-modified");
  return {
    Body: res,
    ETag: header(res, "etag"),
    ContentLength: length === undefined ? undefined : Number(length),
    ContentRange: header(res, "content-range"),
    ContentType: header(res, "content-type"),
    CacheControl: header(res, "cache-control"),
    ContentDisposition: header(res, "content-disposition"),
    ContentEncoding: header(res, "content-encoding"),
    ContentLanguage: header(res, "content-language"),
    LastModified: modified ? new Date(modified) : undefined,
    Metadata: metadata,
    VersionId: header(res, "x-amz-version-id"),
    ServerSideEncryption: header(res, "x-amz-server-side-encryption"),
    SSECustomerAlgorithm: header(res, "x-amz-server-side-encryption-customer-algorithm"),
  };
}

async function readErrorBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size < ERROR_BODY_LIMIT) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, ERROR_BODY_LIMIT);
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];

/** The SDK's error shape, so mapS3Error (and disambiguate) treat both paths alike. */
function errorFrom(status: number, res: IncomingMessage, body: string): Error {
  const code = tag(body, "Code") ?? (status === 404 ? "NotFound" : status === 403 ? "Forbidden" : status === 304 ? "NotModified" : undefined);
  const message = tag(body, "Message") ?? (code ?? `HTTP ${status}`);
  const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
  return Object.assign(new Error(message), {
    name: code ?? "S3ServiceException",
    Code: code,
    $metadata: { httpStatusCode: status, requestId: headers["x-amz-request-id"] },
    $response: { statusCode: status, headers },
  });
}

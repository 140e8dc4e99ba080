// S3 presigned GET URLs (SigV4 query signing) with the signer the SDK itself uses, without pulling a
// second copy of the SDK for @aws-sdk/s3-request-presigner.
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { encodeS3Path } from "./s3-get.ts";

export interface S3SigningConfig {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The Checksum shape @smithy/signature-v4 expects (SHA-256, HMAC when given a secret), over node:crypto. */
export class Sha256 {
  private hash: Hash | Hmac;
  private readonly secret?: Uint8Array | string;
  constructor(secret?: Uint8Array | string | ArrayBuffer | ArrayBufferView) {
    this.secret = secret === undefined || typeof secret === "string" ? secret : ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : new Uint8Array(secret);
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret ? createHmac("sha256", this.secret) : createHash("sha256");
  }
  update(data: Uint8Array | string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(typeof data === "string" ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset() {
    this.hash = this.fresh();
  }
}


export async function presignS3Get(config: S3SigningConfig, request: { bucket: string; key: string; expiresIn: number; responseContentDisposition?: string }): Promise<string> {
  const base = new URL(config.endpoint ?? `https://s3.${config.region}.amazonaws.com`);
  const pathStyle = config.forcePathStyle || !!config.endpoint && !/amazonaws\.com$/.test(base.hostname);
  const hostname = pathStyle ? base.hostname : `${request.bucket}.${base.hostname}`;
  const basePath = base.pathname.replace(/\/$/, "");
  const path = `${basePath}${pathStyle ? `/${request.bucket}` : ""}/${encodeS3Path(request.key)}`;
  const signer = new SignatureV4({
    service: "s3",
    region: config.region,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, sessionToken: config.sessionToken },
    sha256: Sha256,
    // The path is encoded above, once, as S3 expects.
    uriEscapePath: false,
    applyChecksum: false,
  });
  const host = base.port ? `${hostname}:${base.port}` : hostname;
  const signed = await signer.presign(
    {
      method: "GET",
      protocol: base.protocol,
      hostname,
      port: base.port ? Number(base.port) : undefined,
      path,
      query: request.responseContentDisposition ? { "response-content-disposition": request.responseContentDisposition } : {},
      headers: { host },
    },
    { expiresIn: request.expiresIn, unsignableHeaders: new Set(), signableHeaders: new Set(["host"]) },
  );
  const query = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))
    .map(([k, v]) => `${encodeURIComponent(k!)}=${encodeURIComponent(String(v ?? ""))}`)
    .join("&");
  return `${base.protocol}//${host}${path}?${query}`;
}

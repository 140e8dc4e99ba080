// The lean S3 GET (s3-get.ts) signs exactly as the SDK's own SigV4 signer does, and answers like GetObject.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isObjectStoreError } from "../src/errors.ts";
import { S3Getter, encodeS3Path } from "../src/s3/s3-get.ts";
import { Sha256 } from "../src/s3/s3-presign.ts";
import { S3ObjectStore } from "../src/s3/s3-store.ts";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const base = { region: "eu-west-3", forcePathStyle: true, requestTimeoutMs: 5_000, connectionTimeoutMs: 2_000, ...credentials };

async function sdkAuthorization(host: string, path: string, headers: Record<string, string>, now: Date, sessionToken?: string): Promise<string> {
  const signer = new SignatureV4({ service: "s3", region: base.region, credentials: { ...credentials, sessionToken }, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.sign({ method: "GET", protocol: "http:", hostname: host.split(":")[0]!, path, query: {}, headers: { host, ...headers } }, { signingDate: now });
  return signed.headers.authorization!;
}

describe("S3Getter signing", () => {
  const now = new Date("2026-11-22T21:04:05.678Z");
  for (const key of ["plain.txt", "dir/sub dir/ünïcødé +&%=?.csv", "a".repeat(1024), "trailing/"]) {
    it(`matches @smithy/signature-v4 for ${JSON.stringify(key.slice(0, 40))}`, async () => {
      for (const sessionToken of [undefined, "FwoGZXIvYXdzEXAMPLETOKEN"]) {
        const getter = new S3Getter({ ...base, endpoint: "http://127.0.0.1:9000", sessionToken });
        const path = `/bucket/${encodeS3Path(key)}`;
        const ours = getter.sign("127.0.0.1:9000", path, { range: "bytes=10-19" }, now);
        const { authorization, host, ...signedHeaders } = ours;
        expect(host).toBe("127.0.0.1:9000");
        expect(authorization).toBe(await sdkAuthorization("127.0.0.1:9000", path, signedHeaders, now, sessionToken));
        getter.close();
      }
    });
  }
});

describe("S3Getter against a scripted server", () => {
  let url = "";
  let seen: IncomingHttpHeaders | undefined;
  const server = createServer((req, res) => {
    seen = req.headers;
    if (req.url === "/b/missing") {
      res.writeHead(404, { "content-type": "application/xml", "x-amz-request-id": "r1" });
      return res.end("<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
    }
    if (req.url === "/b/slow") {
      res.writeHead(503, { "retry-after": "1" });
      return res.end("<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>");
    }
    res.writeHead(206, {
      etag: '"0123456789abcdef0123456789abcdef"',
      "content-length": "5",
      "content-range": "bytes 2-6/100",
      "content-type": "text/csv",
      "last-modified": "Sun, 22 Nov 2026 20:00:00 GMT",
      "x-amz-meta-study": "trial 7",
      "x-amz-version-id": "v9",
    });
    res.end("hello");
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("maps a ranged answer to the store's read result", async () => {
    const store = new S3ObjectStore({ endpoint: url, forcePathStyle: true, region: "us-east-1", ...credentials });
    const read = await store.readObject("b", "k", { range: { offset: 2, length: 5 } });
    let text = "";
    for await (const c of read.body) text += String(c);
    expect(text).toBe("hello");
    expect(read).toMatchObject({ contentLength: 5, size: 100, etag: "0123456789abcdef0123456789abcdef", version: "v9", contentType: "text/csv" });
    expect(read.metadata?.userMetadata).toEqual({ study: "trial 7" });
    expect(seen?.range).toBe("bytes=2-6");
    expect(seen?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
    await store.close();
  });

  it("maps error documents like the SDK's errors (code, kind, retry-after)", async () => {
    const store = new S3ObjectStore({ endpoint: url, forcePathStyle: true, region: "us-east-1", ...credentials, retry: { maxAttempts: 1 } });
    const missing = await store.readObject("b", "missing").catch((e: unknown) => e);
    expect(isObjectStoreError(missing) && { kind: missing.kind, code: missing.code, status: missing.status }).toEqual({ kind: "ObjectNotFound", code: "NoSuchKey", status: 404 });
    const slow = await store.readObject("b", "slow").catch((e: unknown) => e);
    expect(isObjectStoreError(slow) && { kind: slow.kind, retryAfterMs: slow.retryAfterMs }).toEqual({ kind: "Throttled", retryAfterMs: 1000 });
    await store.close();
  });

  it("names an unreachable endpoint", async () => {
    const store = new S3ObjectStore({ endpoint: "http://127.0.0.1:1", forcePathStyle: true, region: "us-east-1", ...credentials, retry: { maxAttempts: 1 } });
    const error = await store.readObject("b", "k").catch((e: unknown) => e);
    expect(isObjectStoreError(error) && error.message).toMatch(/connection refused/);
    await store.close();
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3rver, type RunningEmulator } from "../src/emulators/index.ts";
import { openObjectStore, transferObject, type ObjectStore } from "../src/index.ts";

// A streamed copy from S3 takes its metadata from the GET response: one request to the source, not two.
let s3rver: RunningEmulator;
let dir: string;

beforeAll(async () => {
  s3rver = await startS3rver();
  dir = mkdtempSync(path.join(os.tmpdir(), "crossdock-transfer-"));
}, 60_000);

afterAll(async () => {
  await s3rver?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function countingHeads(store: ObjectStore) {
  const counter = { heads: 0 };
  const counted = new Proxy(store, {
    get(target, name, receiver) {
      if (name === "headObject") return (...args: Parameters<ObjectStore["headObject"]>) => (counter.heads++, target.headObject(...args));
      const value = Reflect.get(target, name, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: counted, counter };
}

describe("transferObject", () => {
  it("copies S3 metadata without a HEAD of the source, and checks the bytes against the source's MD5", async () => {
    const source = openObjectStore(s3rver.config);
    await source.createBucket("transfer-src");
    await source.writeObject("transfer-src", "notes/a b+c.txt", "hello, metadata", { contentType: "text/plain", cacheControl: "no-cache", userMetadata: { study: "rcos", site: "riverside" } });
    const destination = openObjectStore({ provider: "local", rootDir: dir });
    await destination.createBucket("dst");
    const { store, counter } = countingHeads(source);
    const result = await transferObject({ store, bucket: "transfer-src", key: "notes/a b+c.txt" }, { store: destination, bucket: "dst", key: "copy.txt" });
    expect(counter.heads).toBe(0);
    expect(result).toMatchObject({ serverSide: false, size: 15, verified: ["md5"] });
    expect(await destination.headObject("dst", "copy.txt")).toMatchObject({ contentType: "text/plain", cacheControl: "no-cache", userMetadata: { study: "rcos", site: "riverside" } });
    await Promise.all([source.close(), destination.close()]);
  });
});

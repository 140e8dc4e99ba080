import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { describeCapabilities, objectStoreConfigSchema, openObjectStore } from "../src/index.ts";
import { adaptMetadata, decodeHeaderValue, encodeHeaderValue, readUserMetadata } from "../src/metadata.ts";

describe("adaptMetadata", () => {
  it("renames what Azure cannot hold and reports it", () => {
    const { metadata, issues } = adaptMetadata({ userMetadata: { "x-amz-style": "1", "9lives": "2", ok_name: "3" } }, "azure");
    expect(metadata.userMetadata).toEqual({ x_amz_style: "1", _9lives: "2", ok_name: "3" });
    expect(issues.map((i) => [i.name, i.action, i.newName])).toEqual([
      ["x-amz-style", "renamed", "x_amz_style"],
      ["9lives", "renamed", "_9lives"],
    ]);
  });

  it("drops names that collide case-insensitively", () => {
    const { metadata, issues } = adaptMetadata({ userMetadata: { Owner: "a", owner: "b" } }, "s3");
    expect(Object.keys(metadata.userMetadata)).toEqual(["owner"]);
    expect(issues).toContainEqual(expect.objectContaining({ name: "Owner", action: "renamed" }));
    expect(issues).toContainEqual(expect.objectContaining({ name: "owner", action: "dropped" }));
  });

  it("enforces total size limits (S3: 2 KB) and says so", () => {
    const big = { a: "x".repeat(1500), b: "y".repeat(1500) };
    const s3 = adaptMetadata({ userMetadata: big }, "s3");
    expect(Object.keys(s3.metadata.userMetadata)).toEqual(["a"]);
    expect(s3.issues).toEqual([expect.objectContaining({ name: "b", action: "dropped", reason: expect.stringMatching(/2048 bytes/) })]);
    expect(adaptMetadata({ userMetadata: big }, "gcs").issues).toEqual([]);
  });

  it("carries non-ASCII values through header-based providers and back", () => {
    const { metadata } = adaptMetadata({ userMetadata: { city: "Zürich ✓" } }, "s3");
    expect(metadata.userMetadata.city).toMatch(/^=\?UTF-8\?B\?/);
    expect(readUserMetadata(metadata.userMetadata, "s3")).toEqual({ city: "Zürich ✓" });
    expect(decodeHeaderValue(encodeHeaderValue("plain"))).toBe("plain");
    expect(adaptMetadata({ userMetadata: { city: "Zürich" } }, "gcs").metadata.userMetadata.city).toBe("Zürich");
  });

  it("drops a non-ASCII content type", () => {
    const { metadata, issues } = adaptMetadata({ contentType: "text/plain; name=é" }, "s3");
    expect(metadata.contentType).toBeUndefined();
    expect(issues).toEqual([expect.objectContaining({ name: "contentType", action: "dropped" })]);
  });
});

describe("config schema and factory", () => {
  it("accepts each provider's account shape and applies defaults", () => {
    const s3 = objectStoreConfigSchema.parse({ provider: "s3", endpoint: "http://127.0.0.1:9000", accessKeyId: "a", secretAccessKey: "b" });
    expect(s3).toMatchObject({ region: "us-east-1", forcePathStyle: false });
    expect(objectStoreConfigSchema.parse({ provider: "azure", connectionString: "UseDevelopmentStorage=true" }).provider).toBe("azure");
    const gcs = objectStoreConfigSchema.parse({ provider: "gcs", projectId: "p", credentials: JSON.stringify({ client_email: "x@y", private_key: "k" }) });
    expect(gcs.provider === "gcs" && gcs.credentials?.client_email).toBe("x@y");
  });

  it("explains what is missing", () => {
    const azure = objectStoreConfigSchema.safeParse({ provider: "azure", accountName: "acct" });
    expect(azure.success).toBe(false);
    expect(azure.error?.issues[0]?.message).toMatch(/connection string, or an account name and account key/);
    expect(objectStoreConfigSchema.safeParse({ provider: "gcs", projectId: "p", credentials: "not json" }).success).toBe(false);
    expect(objectStoreConfigSchema.safeParse({ provider: "ftp" }).success).toBe(false);
    expect(() => openObjectStore({ provider: "s3" } as never)).toThrow(ZodError);
  });

  it("opens the right store and describes capabilities", async () => {
    const store = openObjectStore({ provider: "local", rootDir: "/tmp/crossdock-unused" });
    expect(store.provider).toBe("local");
    expect(store.capabilities).toEqual(describeCapabilities("local"));
    expect(describeCapabilities("s3").hashes).toEqual({ md5: "single-part-only", crc32c: "never" });
    expect(describeCapabilities("gcs").hashes.crc32c).toBe("always");
    expect(describeCapabilities("azure").hashes.md5).toBe("when-set");
    await store.close();
  });
});

import { describe, expect, it } from "vitest";
import { ObjectStoreError } from "../src/errors.ts";
import { assertValidKey, compareKeys, decodeKeyBytes, encodeS3CopySource, validateKey } from "../src/keys.ts";

const codes = (key: string, provider: Parameters<typeof validateKey>[1]) => validateKey(key, provider).map((p) => p.code);

describe("validateKey", () => {
  it("accepts ordinary and unicode keys everywhere", () => {
    for (const provider of ["s3", "azure", "gcs", "local"] as const) {
      expect(codes("photos/2024/été 😀 +&%.jpg", provider)).toEqual([]);
    }
  });

  it("rejects lone surrogates (not valid Unicode) everywhere, and says why", () => {
    for (const provider of ["s3", "azure", "gcs", "local"] as const) {
      const [problem] = validateKey("bad\uD800key", provider);
      expect(problem?.code).toBe("lone-surrogate");
      expect(problem?.reason).toMatch(/surrogate/);
    }
    expect(codes("ok\uD83D\uDE00", "s3")).toEqual([]); // a proper pair
    expect(codes("\uDE00", "s3")).toEqual(["lone-surrogate"]);
  });

  it("knows Azure's trailing dot/slash and length rules", () => {
    expect(codes("folder/", "azure")).toEqual(["trailing-dot-or-slash"]);
    expect(codes("file.", "azure")).toEqual(["trailing-dot-or-slash"]);
    expect(codes("file.", "s3")).toEqual([]);
    expect(codes("é".repeat(1024), "azure")).toEqual([]); // 1,024 characters (2,048 bytes) is fine on Azure
    expect(codes("é".repeat(1024), "s3")).toEqual(["too-long"]); // but not on S3 (bytes)
    expect(codes("x".repeat(1025), "azure")).toEqual(["too-long"]);
    expect(codes("a/".repeat(254) + "b", "azure")).toContain("too-many-segments");
  });

  it("knows GCS's forbidden names", () => {
    expect(codes("a\nb", "gcs")).toEqual(["newline"]);
    expect(codes("..", "gcs")).toEqual(["dot-name"]);
    expect(codes(".well-known/acme-challenge/token", "gcs")).toEqual(["reserved-prefix"]);
    expect(codes("x".repeat(1024), "gcs")).toEqual([]);
    expect(codes("x".repeat(1025), "gcs")).toEqual(["too-long"]);
  });

  it("refuses path traversal and unmappable paths on local disk", () => {
    expect(codes("../etc/passwd", "local")).toContain("path-traversal");
    expect(codes("a/./b", "local")).toContain("path-traversal");
    expect(codes("/abs", "local")).toContain("empty-segment");
    expect(codes("a//b", "local")).toContain("empty-segment");
    expect(codes("dir/", "local")).toContain("empty-segment");
    expect(codes("a\\b", "local")).toContain("path-traversal");
    expect(codes("nul\u0000", "local")).toContain("nul-byte");
    expect(codes("x".repeat(241), "local")).toContain("segment-too-long");
  });

  it("throws InvalidKey with the provider's reason", () => {
    expect(() => assertValidKey("folder/", "azure", "b")).toThrowError(ObjectStoreError);
    try {
      assertValidKey("folder/", "azure", "b");
    } catch (error) {
      expect((error as ObjectStoreError).kind).toBe("InvalidKey");
      expect((error as ObjectStoreError).message).toMatch(/cannot end with/);
    }
  });

  it("flags names that are not UTF-8", () => {
    expect(decodeKeyBytes(Buffer.from([0x61, 0xff, 0x62]), "local").problem?.reason).toMatch(/not valid UTF-8/);
    expect(decodeKeyBytes(Buffer.from("été"), "local").key).toBe("été");
  });
});

describe("compareKeys", () => {
  it("orders by UTF-8 bytes (code points), not UTF-16 units", () => {
    // U+FF61 sorts before U+1F600 in UTF-8, after its surrogate pair in UTF-16.
    expect(compareKeys("\uFF61", "\u{1F600}")).toBeLessThan(0);
    expect("\uFF61" < "\u{1F600}").toBe(false);
    expect(compareKeys("a", "a/")).toBeLessThan(0);
    expect(compareKeys("a-", "a/")).toBeLessThan(0);
    expect(compareKeys("b", "b")).toBe(0);
  });
});

describe("encodeS3CopySource", () => {
  it("encodes each segment and keeps the slashes", () => {
    expect(encodeS3CopySource("bkt", "a b/c+d&e")).toBe("bkt/a%20b/c%2Bd%26e");
  });
});

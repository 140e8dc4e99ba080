import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ContentHasher, StreamingHasher, crc32c, crc32cFromBase64, crc32cHex, crc32cSoftware, crc32cUpdate, mismatchedHashes } from "../src/hashing.ts";
import { md5Of } from "../src/md5-thread.ts";

describe("crc32c", () => {
  it("matches the published check values", () => {
    // RFC 3720 (iSCSI) appendix B.4 and the CRC catalogue check value.
    expect(crc32cHex(crc32c("123456789"))).toBe("e3069283");
    expect(crc32cHex(crc32c(new Uint8Array(32)))).toBe("8a9136aa");
    expect(crc32cHex(crc32c(new Uint8Array(32).fill(0xff)))).toBe("62a8ab43");
    expect(crc32cHex(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)))).toBe("46dd794e");
    expect(crc32cHex(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)))).toBe("113fdb5c");
    expect(crc32cHex(crc32c(""))).toBe("00000000");
    expect(crc32cHex(crc32c("The quick brown fox jumps over the lazy dog"))).toBe("22620404");
  });

  it("is the same computed in one go or in pieces of any size", () => {
    const data = Buffer.from(Array.from({ length: 10_007 }, (_, i) => (i * 7919) & 0xff));
    const whole = crc32c(data);
    for (const step of [1, 3, 8, 13, 4096]) {
      let crc = 0;
      for (let i = 0; i < data.length; i += step) crc = crc32cUpdate(crc, data.subarray(i, i + step));
      expect(crc).toBe(whole);
    }
  });

  it("native and table versions agree, chained from any starting value", () => {
    const data = Buffer.from(Array.from({ length: 100_003 }, (_, i) => (i * 2654435761) >>> 24));
    expect(crc32cUpdate(0, data)).toBe(crc32cSoftware(0, data));
    const first = crc32cSoftware(0, data.subarray(0, 777));
    expect(crc32cUpdate(first, data.subarray(777))).toBe(crc32cSoftware(0, data));
  });

  it("reads the base64 form GCS and S3 use", () => {
    expect(crc32cFromBase64("4waSgw==")).toBe("e3069283");
    expect(crc32cFromBase64("AAA=")).toBeUndefined();
  });
});

describe("ContentHasher", () => {
  it("computes MD5 and CRC32C together and counts bytes", () => {
    const h = new ContentHasher();
    h.update(Buffer.from("12345"));
    h.update(Buffer.from("6789"));
    expect(h.digest()).toEqual({ md5: createHash("md5").update("123456789").digest("hex"), crc32c: "e3069283" });
    expect(h.bytes).toBe(9);
  });

  it("reports which hashes disagree, ignoring absent ones", () => {
    expect(mismatchedHashes({ md5: "aa", crc32c: "bb" }, { md5: "AA", crc32c: "cc" })).toEqual(["crc32c"]);
    expect(mismatchedHashes({ md5: "aa" }, { crc32c: "cc" })).toEqual([]);
  });
});

describe("StreamingHasher", () => {
  it("gives ContentHasher's digests for chunks of every size, hashed off the event loop, with parts' own MD5s", async () => {
    const data = Buffer.from(Array.from({ length: 5 * 1024 * 1024 + 333 }, (_, i) => (i * 7919) >>> 3));
    const reference = new ContentHasher();
    reference.update(data);
    const h = new StreamingHasher();
    // Chunks are copied into staging buffers for the thread, small ones batched.
    let offset = 0;
    for (const size of [1, 100, 65_536, 3 * 1024 * 1024, 17]) {
      await h.update(data.subarray(offset, offset + size));
      offset += size;
    }
    // The rest as a part with an MD5 of its own, computed in the same pass.
    const tail = data.subarray(offset);
    h.beginPart();
    await h.update(tail);
    expect((await h.endPart()).toString("hex")).toBe(createHash("md5").update(tail).digest("hex"));
    expect(h.bytes).toBe(data.length);
    expect(await h.digest()).toEqual(reference.digest());
  });

  it("keeps concurrent streams apart", async () => {
    const a = Buffer.alloc(3 * 1024 * 1024, 1);
    const b = Buffer.alloc(2 * 1024 * 1024, 2);
    const ha = new StreamingHasher();
    const hb = new StreamingHasher();
    await Promise.all([(async () => {
      await ha.update(a);
      await ha.update(b);
    })(), hb.update(b)]);
    expect((await ha.digest()).md5).toBe(createHash("md5").update(a).update(b).digest("hex"));
    expect((await hb.digest()).md5).toBe(createHash("md5").update(b).digest("hex"));
    expect(md5Of(a).toString("hex")).toBe(createHash("md5").update(a).digest("hex"));
  });
});

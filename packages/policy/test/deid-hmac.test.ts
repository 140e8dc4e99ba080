// The allocation-free HMAC-SHA256 behind pseudonyms must equal Node's createHmac byte for byte, for
// every key and message length (one block, the 55/56/64-byte padding edges, many blocks, non-ASCII).
import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyedHmac } from "../src/deid/hmac.ts";

describe("keyedHmac", () => {
  it("matches createHmac for keys and messages of every awkward length", () => {
    const prefix = Buffer.from("crossdock/deid/v1\0");
    for (const keyLength of [16, 32, 63, 64, 65, 100]) {
      const key = randomBytes(keyLength);
      const hmac = keyedHmac(key, prefix);
      const out = new Uint8Array(32);
      for (let length = 0; length < 200; length++) {
        const value = Array.from({ length }, (_, i) => "aZ9é€😀"[(i * 7 + length) % 6]).join("");
        hmac.digestInto(value, out);
        const expected = createHmac("sha256", key).update(prefix).update(value, "utf8").digest();
        expect(Buffer.from(out).equals(expected), `key ${keyLength} bytes, value ${length} chars`).toBe(true);
      }
    }
  });
});

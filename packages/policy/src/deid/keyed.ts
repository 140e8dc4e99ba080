// Everything derived from the subset secret: pseudonyms (the `hash` rule, VCF sample ids, key segments)
// and per-subject date offsets. Both come from one HMAC-SHA256 of the value (one HMAC is most of the
// cost per row): a pseudonym shows at most the digest's first 26 bytes, and the offset is read from
// bytes 26-31, which no pseudonym reveals.

import { createHmac } from "node:crypto";
import { DeidError } from "./errors.ts";
import { defaultMaxShiftDays, pseudonymFormat, type DeidOptions, type DeidRules } from "./rules.ts";

const DOMAIN = "crossdock/deid/v1\0";
/** Bytes of the digest a pseudonym may show; the rest is the offset's. */
export const PSEUDONYM_BYTES = 26;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
// Ids repeat across rows (a patient's encounters); the cache is cleared when full, so memory stays bounded.
const CACHE_LIMIT = 8192;

export function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export interface Keyed {
  pseudonym(value: string): string;
  /** Whole days in [-maxDays, -1] ∪ [1, maxDays]: never 0, so every date moves. */
  shiftDays(subject: string): number;
}

function cached<T>(compute: (v: string) => T): (v: string) => T {
  const cache = new Map<string, T>();
  return (v) => {
    let hit = cache.get(v);
    if (hit === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      hit = compute(v);
      cache.set(v, hit);
    }
    return hit;
  };
}

export function createKeyed(rules: DeidRules, options: DeidOptions): Keyed {
  const secret = typeof options.secret === "string" ? Buffer.from(options.secret, "utf8") : Buffer.from(options.secret);
  if (secret.length < 16) throw new DeidError("InvalidRules", "the subset secret must be at least 16 bytes");
  const format = pseudonymFormat(rules);
  const maxDays = rules.dateShift?.maxDays ?? defaultMaxShiftDays;
  const format32 = (digest: Buffer) =>
    format.encoding === "hex" ? digest.toString("hex", 0, Math.ceil(format.length / 2)) : base32(digest.subarray(0, Math.ceil((format.length * 5) / 8)));
  const derive = cached((value) => {
    const digest = createHmac("sha256", secret).update(DOMAIN).update(value, "utf8").digest();
    const n = digest.readUIntBE(PSEUDONYM_BYTES, 6) % (2 * maxDays);
    return { digest, pseudonym: undefined as string | undefined, shift: n < maxDays ? -(n + 1) : n - maxDays + 1 };
  });
  return {
    pseudonym(value) {
      const d = derive(value);
      return (d.pseudonym ??= format.prefix + format32(d.digest).slice(0, format.length));
    },
    shiftDays: (subject) => derive(subject).shift,
  };
}

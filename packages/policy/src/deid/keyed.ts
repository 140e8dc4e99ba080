// Everything derived from the subset secret: pseudonyms (the `hash` rule, VCF sample ids, key segments)
// and per-subject date offsets. Both come from one HMAC-SHA256 of the value (one HMAC is most of the
// cost per row): a pseudonym shows at most the digest's first 26 bytes, and the offset is read from
// bytes 26-31, which no pseudonym reveals.

import { DeidError } from "./errors.ts";
import { keyedHmac } from "./hmac.ts";
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

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function createKeyed(rules: DeidRules, options: DeidOptions): Keyed {
  const secret = typeof options.secret === "string" ? Buffer.from(options.secret, "utf8") : Buffer.from(options.secret);
  if (secret.length < 16) throw new DeidError("InvalidRules", "the subset secret must be at least 16 bytes");
  const format = pseudonymFormat(rules);
  const maxDays = rules.dateShift?.maxDays ?? defaultMaxShiftDays;
  const hmac = keyedHmac(secret, Buffer.from(DOMAIN, "utf8"));
  const digest = new Uint8Array(32);
  const hexBytes = Math.ceil(format.length / 2);
  const base32Bytes = Math.ceil((format.length * 5) / 8);
  const encode = (d: Uint8Array) => {
    if (format.encoding === "base32") return base32(d.subarray(0, base32Bytes));
    let hex = "";
    for (let i = 0; i < hexBytes; i++) hex += HEX[d[i]!];
    return hex;
  };
  const derive = cached((value) => {
    hmac.digestInto(value, digest);
    // Bytes 26-31 as a 48-bit number (no pseudonym shows them).
    const high = (digest[PSEUDONYM_BYTES]! << 8) | digest[PSEUDONYM_BYTES + 1]!;
    const low = ((digest[28]! << 24) | (digest[29]! << 16) | (digest[30]! << 8) | digest[31]!) >>> 0;
    const n = (high * 2 ** 32 + low) % (2 * maxDays);
    return { pseudonym: format.prefix + encode(digest).slice(0, format.length), shift: n < maxDays ? -(n + 1) : n - maxDays + 1 };
  });
  // A row often hashes the subject it also shifts dates by: the last value is answered without a lookup.
  let lastValue: string | undefined;
  let last: { pseudonym: string; shift: number } | undefined;
  const get = (value: string) => {
    if (value !== lastValue) {
      last = derive(value);
      lastValue = value;
    }
    return last!;
  };
  return {
    pseudonym: (value) => get(value).pseudonym,
    shiftDays: (subject) => get(subject).shift,
  };
}

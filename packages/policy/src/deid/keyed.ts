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
// Ids repeat across rows (a patient's encounters): a fixed table of recent values (a power of two).
const CACHE_SLOTS = 16_384;

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

/**
 * Memoizes `compute` per value in a direct-mapped table: a value's slot is picked by a string hash and
 * overwritten on a collision. Memory is fixed, nothing is ever rehashed or cleared, and a run of unique
 * values (every MRN of a table) costs a slot write each instead of growing a Map.
 */
function cached<T>(compute: (v: string) => T): (v: string) => T {
  const keys: (string | undefined)[] = new Array(CACHE_SLOTS).fill(undefined);
  const values: (T | undefined)[] = new Array(CACHE_SLOTS).fill(undefined);
  return (v) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    const slot = (h >>> 0) & (CACHE_SLOTS - 1);
    if (keys[slot] === v) return values[slot]!;
    const value = compute(v);
    keys[slot] = v;
    values[slot] = value;
    return value;
  };
}

const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");

export function createKeyed(rules: DeidRules, options: DeidOptions): Keyed {
  const secret = typeof options.secret === "string" ? Buffer.from(options.secret, "utf8") : Buffer.from(options.secret);
  if (secret.length < 16) throw new DeidError("InvalidRules", "the subset secret must be at least 16 bytes");
  const format = pseudonymFormat(rules);
  const maxDays = rules.dateShift?.maxDays ?? defaultMaxShiftDays;
  const hmac = keyedHmac(secret, Buffer.from(DOMAIN, "utf8"));
  const digest = new Uint8Array(32);
  const hexBytes = Math.ceil(format.length / 2);
  const base32Bytes = Math.ceil((format.length * 5) / 8);
  // Hex digits are written into a scratch buffer and read back as one string (no string per byte).
  const scratch = Buffer.allocUnsafe(hexBytes * 2);
  const encode = (d: Uint8Array) => {
    if (format.encoding === "base32") return base32(d.subarray(0, base32Bytes));
    for (let i = 0; i < hexBytes; i++) {
      scratch[i * 2] = HEX_DIGITS[d[i]! >> 4]!;
      scratch[i * 2 + 1] = HEX_DIGITS[d[i]! & 15]!;
    }
    return scratch.toString("latin1", 0, format.length);
  };
  const derive = cached((value) => {
    hmac.digestInto(value, digest);
    // Bytes 26-31 as a 48-bit number (no pseudonym shows them).
    const high = (digest[PSEUDONYM_BYTES]! << 8) | digest[PSEUDONYM_BYTES + 1]!;
    const low = ((digest[28]! << 24) | (digest[29]! << 16) | (digest[30]! << 8) | digest[31]!) >>> 0;
    const n = (high * 2 ** 32 + low) % (2 * maxDays);
    return { pseudonym: format.prefix + (format.encoding === "hex" ? encode(digest) : encode(digest).slice(0, format.length)), shift: n < maxDays ? -(n + 1) : n - maxDays + 1 };
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

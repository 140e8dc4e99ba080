// HMAC-SHA256 of many short values under one key, without a Node Hmac object per value. The key's
// inner and outer pads are hashed once (their SHA-256 midstates kept), so each value costs two block
// compressions for messages up to 55 bytes (after the key pad), in preallocated typed arrays: no
// allocation per value besides the result. Output is byte-for-byte Node's createHmac("sha256").

import { createHash } from "node:crypto";

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** One SHA-256 compression of the 16 big-endian words in w[0..15] into `state` (w[16..63] is scratch). */
function compressWords(state: Int32Array, w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!;
    const b = w[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (((w[i - 16]! + s0) | 0) + ((w[i - 7]! + s1) | 0)) | 0;
  }
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!, e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (((h + S1) | 0) + ((((e & f) ^ (~e & g)) + ((K[i]! + w[i]!) | 0)) | 0)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** Loads the 64-byte block at bytes[offset..] into w[0..15]. */
function loadBlock(bytes: Uint8Array, offset: number, w: Int32Array): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + i * 4;
    w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
}

export interface KeyedHmac {
  /** HMAC-SHA256(key, prefix || utf8(value)), written into `out` (32 bytes). */
  digestInto(value: string, out: Uint8Array): void;
}

/** Bound to one key and one fixed message prefix (the domain separator). Not re-entrant (one instance per caller). */
export function keyedHmac(key: Uint8Array, prefix: Uint8Array): KeyedHmac {
  const k = new Uint8Array(64);
  k.set(key.length > 64 ? createHash("sha256").update(key).digest() : key);
  const pad = new Uint8Array(64);
  const w = new Int32Array(64);
  const inner = IV.slice();
  const outer = IV.slice();
  for (let i = 0; i < 64; i++) pad[i] = k[i]! ^ 0x36;
  loadBlock(pad, 0, w);
  compressWords(inner, w);
  for (let i = 0; i < 64; i++) pad[i] = k[i]! ^ 0x5c;
  loadBlock(pad, 0, w);
  compressWords(outer, w);
  const encoder = new TextEncoder();
  // The inner message after the key pad: prefix, value, 0x80, zeros, 64-bit length; whole blocks.
  let message = new Uint8Array(256);
  message.set(prefix);
  const state = new Int32Array(8);
  return {
    digestInto(value, out) {
      const p = prefix.length;
      let length = p;
      // ASCII is written directly; anything else goes through the UTF-8 encoder (at most 3 bytes per unit).
      if (p + value.length * 3 + 72 > message.length) {
        const grown = new Uint8Array(p + value.length * 3 + 136);
        grown.set(prefix);
        message = grown;
      }
      let ascii = true;
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        message[length++] = c;
      }
      if (!ascii) length = p + encoder.encodeInto(value, message.subarray(p)).written;
      const bits = (64 + length) * 8;
      const blocks = Math.ceil((length + 9) / 64);
      const end = blocks * 64;
      message[length] = 0x80;
      message.fill(0, length + 1, end - 4);
      message[end - 4] = bits >>> 24;
      message[end - 3] = (bits >>> 16) & 0xff;
      message[end - 2] = (bits >>> 8) & 0xff;
      message[end - 1] = bits & 0xff;
      state.set(inner);
      for (let offset = 0; offset < end; offset += 64) {
        loadBlock(message, offset, w);
        compressWords(state, w);
      }
      // Outer: one block of the inner digest, 0x80, and the length (64 + 32 bytes).
      for (let i = 0; i < 8; i++) w[i] = state[i]!;
      w[8] = 0x80000000 | 0;
      for (let i = 9; i < 15; i++) w[i] = 0;
      w[15] = (64 + 32) * 8;
      state.set(outer);
      compressWords(state, w);
      for (let i = 0; i < 8; i++) {
        const v = state[i]!;
        out[i * 4] = v >>> 24;
        out[i * 4 + 1] = (v >>> 16) & 0xff;
        out[i * 4 + 2] = (v >>> 8) & 0xff;
        out[i * 4 + 3] = v & 0xff;
      }
    },
  };
}

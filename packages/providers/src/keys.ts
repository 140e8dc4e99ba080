// Which keys each destination can hold, decided before any byte moves.
import { ObjectStoreError } from "./errors.ts";
import type { ProviderName } from "./object-store.ts";

export type KeyProblemCode =
  | "empty"
  | "lone-surrogate"
  | "too-long"
  | "trailing-dot-or-slash"
  | "too-many-segments"
  | "control-character"
  | "newline"
  | "dot-name"
  | "reserved-prefix"
  | "path-traversal"
  | "empty-segment"
  | "segment-too-long"
  | "nul-byte";

export interface KeyProblem {
  code: KeyProblemCode;
  provider: ProviderName;
  reason: string;
}

export const MAX_KEY_BYTES: Record<ProviderName, number> = { s3: 1024, azure: 1024, gcs: 1024, local: 4096 };

/** Byte-wise UTF-8 order: the order S3 and GCS list in, and the one used for start-after. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  // For well-formed strings, code point order equals UTF-8 byte order.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function findLoneSurrogate(key: string): number {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = key.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

/** Decodes key bytes (e.g. a local file name) strictly; invalid UTF-8 yields a problem instead of U+FFFD. */
export function decodeKeyBytes(bytes: Uint8Array, provider: ProviderName): { key?: string; problem?: KeyProblem } {
  try {
    return { key: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { problem: { code: "lone-surrogate", provider, reason: "the name is not valid UTF-8, so no cloud provider can store it as a key" } };
  }
}

// Azure and local files refuse C0 control characters and DEL; GCS forbids CR/LF only.
const CONTROL = /[\u0000-\u001f\u007f]/;

export function validateKey(key: string, provider: ProviderName): KeyProblem[] {
  const problems: KeyProblem[] = [];
  const add = (code: KeyProblemCode, reason: string) => problems.push({ code, provider, reason });
  if (key.length === 0) {
    add("empty", "a key cannot be empty");
    return problems;
  }
  const surrogate = findLoneSurrogate(key);
  if (surrogate >= 0) {
    add("lone-surrogate", `character ${surrogate} is a lone UTF-16 surrogate: the key is not valid Unicode and cannot be encoded as UTF-8`);
    return problems;
  }
  const bytes = Buffer.byteLength(key, "utf8");
  const max = MAX_KEY_BYTES[provider];
  if (provider === "azure") {
    if (key.length > 1024) add("too-long", `Azure blob names are limited to 1,024 characters (this one has ${key.length})`);
    if (/[./\\]$/.test(key)) add("trailing-dot-or-slash", "Azure blob names cannot end with '.', '/' or '\\' (the service strips them)");
    if (key.split("/").length > 254) add("too-many-segments", "Azure blob names are limited to 254 path segments");
    if (CONTROL.test(key)) add("control-character", "Azure rejects control characters (U+0000-U+001F, U+007F) in blob names");
  } else if (bytes > max) {
    add("too-long", `${provider} keys are limited to ${max} bytes of UTF-8 (this one has ${bytes})`);
  }
  if (provider === "gcs") {
    if (/[\r\n]/.test(key)) add("newline", "GCS object names cannot contain carriage return or line feed");
    if (key === "." || key === "..") add("dot-name", "GCS object names cannot be '.' or '..'");
    if (key.startsWith(".well-known/acme-challenge/")) add("reserved-prefix", "GCS reserves the '.well-known/acme-challenge/' prefix");
  }
  if (provider === "local") {
    if (key.includes("\u0000")) add("nul-byte", "file names cannot contain NUL");
    else if (CONTROL.test(key)) add("control-character", "control characters are refused in local file names");
    if (key.includes("\\")) add("path-traversal", "backslashes are refused in local keys (a path separator on Windows)");
    const segments = key.split("/");
    if (segments.some((s) => s === "." || s === "..")) add("path-traversal", "'.' and '..' path segments would escape or alias the bucket directory");
    if (segments.some((s) => s === "")) add("empty-segment", "leading, trailing or doubled '/' cannot map to a file path");
    if (segments.some((s) => Buffer.byteLength(s) > 240)) add("segment-too-long", "a path segment longer than 240 bytes cannot be a file name (255 minus room for the metadata sidecar suffix)");
  }
  return problems;
}

export function assertValidKey(key: string, provider: ProviderName, bucket?: string): void {
  const problems = validateKey(key, provider);
  if (problems.length === 0) return;
  throw new ObjectStoreError("InvalidKey", `Key ${JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}...` : key)} cannot be stored on ${provider}: ${problems.map((p) => p.reason).join("; ")}`, {
    provider,
    bucket,
    key,
    code: problems[0]!.code,
  });
}

export function encodeS3CopySource(bucket: string, key: string): string {
  return `${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
}

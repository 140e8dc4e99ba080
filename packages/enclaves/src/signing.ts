// Platform signatures: HMAC-SHA256 over canonical JSON, for download tokens and contribution manifests.
import { createHmac, timingSafeEqual } from "node:crypto";
import { canonicalJson } from "@crossdock/db";
import { signingKeyId } from "./deps.ts";

export function signValue(key: Buffer, value: unknown): string {
  return `hmac-sha256:${signingKeyId(key)}:${createHmac("sha256", key).update(canonicalJson(value)).digest("hex")}`;
}

export function verifyValue(key: Buffer, value: unknown, signature: string): boolean {
  const expected = Buffer.from(signValue(key, value));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A compact signed token: base64url(JSON payload) + "." + base64url(HMAC). */
export function sealToken(key: Buffer, payload: Record<string, unknown>): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${createHmac("sha256", key).update(body).digest("base64url")}`;
}

export function openToken<T>(key: Buffer, token: string): T | null {
  const [body, mac] = token.split(".");
  if (!body || !mac) return null;
  const expected = Buffer.from(createHmac("sha256", key).update(body).digest("base64url"));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T;
  } catch {
    return null;
  }
}

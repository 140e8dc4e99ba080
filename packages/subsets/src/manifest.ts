// The manifest of a materialization: every output object's key, size, SHA-256 and source key, and the
// subset version that produced them, signed with HMAC-SHA256 under a platform key so a recipient (or
// an enclave) can tell it came from this Crossdock and was not edited.
//
// The platform key is MANIFEST_SIGNING_KEY (32+ bytes, base64) when set, else derived with HKDF from
// CREDENTIALS_ENCRYPTION_KEY; keys derived from CREDENTIALS_PREVIOUS_KEYS still verify after a rotation.
import { createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

export const MANIFEST_FORMAT = "crossdock.subset-manifest/v1";

export interface ManifestObject {
  key: string;
  size: number;
  sha256: string;
  sourceKey: string;
  /** "transformed" by the subset's rules, or copied as is ("passThrough"). */
  mode: string;
}

export interface ManifestBody {
  format: typeof MANIFEST_FORMAT;
  organizationId: string;
  subset: { id: string; name: string };
  version: { id: string; number: number };
  materializationId: string;
  source: { accountId: string; bucket: string; prefixes: string[] };
  destination: { accountId: string; bucket: string; prefix: string };
  createdAt: string;
  totals: { objects: number; bytes: number };
  objects: ManifestObject[];
}

export interface ManifestSignature {
  algorithm: "HMAC-SHA256";
  keyId: string;
  /** hex HMAC of the canonical JSON of the body (the manifest without `signature`). */
  value: string;
}

export type SignedManifest = ManifestBody & { signature: ManifestSignature };

export interface SigningKeys {
  current: { id: string; key: Buffer };
  byId: Map<string, Buffer>;
}

const keyIdOf = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 12);

function derive(base64: string): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(base64.trim(), "base64"), "crossdock", "crossdock/manifest-signing/v1", 32));
}

/** The platform's manifest keys, from the environment. */
export function manifestSigningKeys(env: Record<string, string | undefined> = process.env): SigningKeys {
  const keys: Buffer[] = [];
  if (env.MANIFEST_SIGNING_KEY) {
    const key = Buffer.from(env.MANIFEST_SIGNING_KEY.trim(), "base64");
    if (key.length < 32) throw new Error("MANIFEST_SIGNING_KEY must be at least 32 bytes, base64-encoded.");
    keys.push(key);
  }
  if (env.CREDENTIALS_ENCRYPTION_KEY) keys.push(derive(env.CREDENTIALS_ENCRYPTION_KEY));
  for (const old of (env.CREDENTIALS_PREVIOUS_KEYS ?? "").split(",").filter((k) => k.trim())) keys.push(derive(old));
  const [first] = keys;
  if (!first) throw new Error("Neither MANIFEST_SIGNING_KEY nor CREDENTIALS_ENCRYPTION_KEY is set: manifests cannot be signed.");
  return { current: { id: keyIdOf(first), key: first }, byId: new Map(keys.map((k) => [keyIdOf(k), k])) };
}

/** The bytes that are signed: the body's JSON, keys in the order the body was built (JSON.parse keeps it). */
export const canonicalBody = (body: ManifestBody) => JSON.stringify(body);

export function signManifest(body: ManifestBody, keys: SigningKeys = manifestSigningKeys()): SignedManifest {
  const value = createHmac("sha256", keys.current.key).update(canonicalBody(body)).digest("hex");
  return { ...body, signature: { algorithm: "HMAC-SHA256", keyId: keys.current.id, value } };
}

/** Checks a manifest as read back (text or parsed). False for a wrong signature, an unknown key, or a changed body. */
export function verifyManifest(manifest: string | SignedManifest, keys: SigningKeys = manifestSigningKeys()): boolean {
  const parsed: SignedManifest = typeof manifest === "string" ? JSON.parse(manifest) : manifest;
  const { signature, ...body } = parsed;
  if (!signature || signature.algorithm !== "HMAC-SHA256") return false;
  const key = keys.byId.get(signature.keyId);
  if (!key || typeof signature.value !== "string") return false;
  const expected = createHmac("sha256", key).update(canonicalBody(body as ManifestBody)).digest();
  const given = Buffer.from(signature.value, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The manifest's object key under a destination prefix. */
export const manifestKeyFor = (prefix: string) => `${prefix}crossdock-manifest.json`;

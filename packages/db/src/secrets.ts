// Secrets at rest: AES-256-GCM under a key from the environment, tagged with the key's id so keys can be
// rotated, and bound (as associated data) to the row that owns them so a ciphertext moved to another
// row or tenant fails to open.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export interface Keyring {
  /** Seals new secrets. */
  current: { id: string; key: Buffer };
  /** Opens secrets sealed under any of these (the current key included). */
  byId: Map<string, Buffer>;
}

export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretError";
  }
}

export const keyId = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 12);

function decodeKey(base64: string, name: string): Buffer {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== 32) throw new SecretError(`${name} must be 32 bytes, base64-encoded (got ${key.length} bytes).`);
  return key;
}

/** CREDENTIALS_ENCRYPTION_KEY seals; CREDENTIALS_PREVIOUS_KEYS (comma-separated) still open older secrets. */
export function keyringFromEnv(env: Record<string, string | undefined> = process.env): Keyring {
  if (!env.CREDENTIALS_ENCRYPTION_KEY) throw new SecretError("CREDENTIALS_ENCRYPTION_KEY is not set: storage credentials cannot be encrypted.");
  const key = decodeKey(env.CREDENTIALS_ENCRYPTION_KEY, "CREDENTIALS_ENCRYPTION_KEY");
  const byId = new Map([[keyId(key), key]]);
  for (const old of (env.CREDENTIALS_PREVIOUS_KEYS ?? "").split(",").filter((k) => k.trim())) {
    const previous = decodeKey(old, "each of CREDENTIALS_PREVIOUS_KEYS");
    byId.set(keyId(previous), previous);
  }
  return { current: { id: keyId(key), key }, byId };
}

export interface Sealed {
  ciphertext: string;
  keyId: string;
}

const VERSION = "v1";

export function sealSecret(secret: unknown, boundTo: string, keyring: Keyring): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyring.current.key, iv);
  cipher.setAAD(Buffer.from(boundTo));
  const data = Buffer.concat([cipher.update(JSON.stringify(secret), "utf8"), cipher.final()]);
  const parts = [VERSION, keyring.current.id, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")];
  return { ciphertext: parts.join("."), keyId: keyring.current.id };
}

export function openSecret<T = unknown>(ciphertext: string, boundTo: string, keyring: Keyring): T {
  const [version, id, iv, tag, data] = ciphertext.split(".");
  if (version !== VERSION || !id || !iv || !tag || data === undefined) throw new SecretError("Stored secret is malformed.");
  const key = keyring.byId.get(id);
  if (!key) throw new SecretError(`Stored secret was sealed with key ${id}, which is not configured (add it to CREDENTIALS_PREVIOUS_KEYS).`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(boundTo));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8")) as T;
  } catch {
    throw new SecretError("Stored secret could not be decrypted: wrong key or tampered data.");
  }
}

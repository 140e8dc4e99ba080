// The per-subset secret behind keyed hashes and date offsets. Sealed at rest like storage credentials
// (AES-256-GCM under CREDENTIALS_ENCRYPTION_KEY, bound to the subset row); opened only on the server.
import { randomBytes } from "node:crypto";
import { keyringFromEnv, openSecret, sealSecret, subsetSecretBinding, type Keyring, type Sealed, type Subset } from "@crossdock/db";

/** A fresh secret: 32 random bytes, base64. */
export const newSubsetSecret = () => randomBytes(32).toString("base64");

export function sealSubsetSecret(subset: { id: string; organizationId: string }, secret: string, keyring: Keyring = keyringFromEnv()): Sealed {
  return sealSecret(secret, subsetSecretBinding(subset), keyring);
}

export function openSubsetSecret(subset: Pick<Subset, "id" | "organizationId" | "secretCiphertext">, keyring: Keyring = keyringFromEnv()): string {
  return openSecret<string>(subset.secretCiphertext, subsetSecretBinding(subset), keyring);
}

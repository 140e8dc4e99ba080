import { createHash, hkdfSync } from "node:crypto";
import type { Db, StorageAccount, Role } from "@crossdock/db";
import type { ObjectStore } from "@crossdock/providers";
import type { Clock } from "./clock.ts";

/** What enclave operations need from their process: the web app and the worker each build one. */
export interface EnclaveDeps {
  db: Db;
  clock: Clock;
  /** Opens a stored account (the host's placement, a contributor's subset source). */
  openStore(account: StorageAccount): ObjectStore;
  /** The platform's signing key (download tokens, manifests); see platformSigningKey. */
  signingKey: Buffer;
  /** Hands a contribution to the worker fleet. */
  enqueueMaterialize(contributionId: string): Promise<void>;
  /** Asks the worker fleet to tear an enclave down now (closing early); the scheduled sweep is the backstop. */
  enqueueTeardown(enclaveId: string): Promise<void>;
}

/** Someone acting for their active organization. */
export interface EnclaveActor {
  userId: string;
  organizationId: string;
  /** Their role in that organization. */
  role: Role;
  ip?: string | null;
}

/**
 * The platform key that signs download tokens and contribution manifests, derived (HKDF) from
 * CREDENTIALS_ENCRYPTION_KEY, which the web app and every worker already hold.
 */
export function platformSigningKey(encryptionKeyBase64 = process.env.CREDENTIALS_ENCRYPTION_KEY): Buffer {
  if (!encryptionKeyBase64) throw new Error("CREDENTIALS_ENCRYPTION_KEY is not set: the platform cannot sign enclave manifests or links.");
  return Buffer.from(hkdfSync("sha256", Buffer.from(encryptionKeyBase64, "base64"), Buffer.alloc(0), "crossdock enclave signing v1", 32));
}

/** A short public id of a signing key, stored with each signature so a rotated key is recognisable. */
export const signingKeyId = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 12);

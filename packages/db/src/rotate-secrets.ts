import type { Db } from "./client.ts";
import { openSecret, sealSecret, type Keyring } from "./secrets.ts";

/** What a subset's secret is sealed to: a ciphertext copied to another subset or tenant does not open. */
export const subsetSecretBinding = (subset: { organizationId: string; id: string }) => `subset:${subset.organizationId}:${subset.id}`;

/**
 * Re-seals every stored storage credential and subset secret under `next`'s current key, in one transaction: if any
 * secret cannot be opened, nothing changes. Returns how many were re-sealed. `only` limits it to one
 * organization (tests share a database).
 */
export async function rotateStorageSecrets(db: Db, next: Keyring, only?: { organizationId: string }): Promise<number> {
  return db.$transaction(
    async (tx) => {
      const accounts = await tx.storageAccount.findMany({ where: { secretCiphertext: { not: null }, ...only }, select: { id: true, organizationId: true, secretCiphertext: true } });
      for (const account of accounts) {
        const boundTo = `${account.organizationId}:${account.id}`;
        const sealed = sealSecret(openSecret(account.secretCiphertext!, boundTo, next), boundTo, next);
        await tx.storageAccount.update({ where: { id: account.id }, data: { secretCiphertext: sealed.ciphertext, secretKeyId: sealed.keyId } });
      }
      // Subset secrets (keyed hashes, date offsets) are sealed the same way, bound to their subset.
      const subsets = await tx.subset.findMany({ where: { ...only }, select: { id: true, organizationId: true, secretCiphertext: true } });
      for (const subset of subsets) {
        const boundTo = subsetSecretBinding(subset);
        const sealed = sealSecret(openSecret(subset.secretCiphertext, boundTo, next), boundTo, next);
        await tx.subset.update({ where: { id: subset.id }, data: { secretCiphertext: sealed.ciphertext, secretKeyId: sealed.keyId } });
      }
      return accounts.length + subsets.length;
    },
    { timeout: 120_000 },
  );
}

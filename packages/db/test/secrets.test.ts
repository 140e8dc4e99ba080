import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyringFromEnv, openSecret, sealSecret } from "../src/secrets.ts";

const newKey = () => randomBytes(32).toString("base64");

describe("secrets at rest", () => {
  const key = newKey();
  const keyring = keyringFromEnv({ CREDENTIALS_ENCRYPTION_KEY: key });

  it("round-trips, and the ciphertext does not contain the secret", () => {
    const sealed = sealSecret({ secretAccessKey: "wJalrXUtnFEMI/K7MDENG" }, "org1:acct1", keyring);
    expect(sealed.ciphertext).not.toContain("wJalrXUtnFEMI");
    expect(openSecret(sealed.ciphertext, "org1:acct1", keyring)).toEqual({ secretAccessKey: "wJalrXUtnFEMI/K7MDENG" });
  });

  it("refuses a ciphertext moved to another row or tenant, and tampered data", () => {
    const sealed = sealSecret({ s: "x" }, "org1:acct1", keyring);
    expect(() => openSecret(sealed.ciphertext, "org2:acct1", keyring)).toThrow("wrong key or tampered data");
    const tampered = sealed.ciphertext.slice(0, -2) + (sealed.ciphertext.endsWith("A") ? "BB" : "AA");
    expect(() => openSecret(tampered, "org1:acct1", keyring)).toThrow();
  });

  it("opens secrets sealed under a previous key after rotation, and names a missing key", () => {
    const sealed = sealSecret({ s: "old" }, "b", keyring);
    const rotated = keyringFromEnv({ CREDENTIALS_ENCRYPTION_KEY: newKey(), CREDENTIALS_PREVIOUS_KEYS: key });
    expect(openSecret(sealed.ciphertext, "b", rotated)).toEqual({ s: "old" });
    expect(sealSecret({ s: 1 }, "b", rotated).keyId).not.toBe(sealed.keyId);
    const forgotten = keyringFromEnv({ CREDENTIALS_ENCRYPTION_KEY: newKey() });
    expect(() => openSecret(sealed.ciphertext, "b", forgotten)).toThrow(`sealed with key ${sealed.keyId}, which is not configured`);
  });

  it("rejects a key of the wrong size with the variable's name", () => {
    expect(() => keyringFromEnv({ CREDENTIALS_ENCRYPTION_KEY: "c2hvcnQ=" })).toThrow("CREDENTIALS_ENCRYPTION_KEY must be 32 bytes");
  });
});

describe("rotateStorageSecrets", () => {
  it("re-seals every stored credential under the new key, all or nothing", async () => {
    const { createDb, rotateStorageSecrets } = await import("../src/index.ts");
    const db = createDb(process.env.DATABASE_URL!);
    const oldKey = newKey();
    const old = keyringFromEnv({ CREDENTIALS_ENCRYPTION_KEY: oldKey });
    const org = await db.organization.create({ data: { name: "Rotation" } });
    const id = crypto.randomUUID();
    const sealed = sealSecret({ secretAccessKey: "s3cr3t" }, `${org.id}:${id}`, old);
    await db.storageAccount.create({ data: { id, organizationId: org.id, name: "r", provider: "s3", settings: {}, secretCiphertext: sealed.ciphertext, secretKeyId: sealed.keyId } });

    // Without the old key nothing can be opened, so nothing changes.
    await expect(rotateStorageSecrets(db, keyringFromEnv({ CREDENTIALS_ENCRYPTION_KEY: newKey() }), { organizationId: org.id })).rejects.toThrow("not configured");
    expect((await db.storageAccount.findUniqueOrThrow({ where: { id } })).secretKeyId).toBe(sealed.keyId);

    const next = keyringFromEnv({ CREDENTIALS_ENCRYPTION_KEY: newKey(), CREDENTIALS_PREVIOUS_KEYS: oldKey });
    expect(await rotateStorageSecrets(db, next, { organizationId: org.id })).toBe(1);
    const row = await db.storageAccount.findUniqueOrThrow({ where: { id } });
    expect(row.secretKeyId).toBe(next.current.id);
    const onlyNew = keyringFromEnv({ CREDENTIALS_ENCRYPTION_KEY: Buffer.from(next.current.key).toString("base64") });
    expect(openSecret(row.secretCiphertext!, `${org.id}:${id}`, onlyNew)).toEqual({ secretAccessKey: "s3cr3t" });
    await db.organization.delete({ where: { id: org.id } });
    await db.$disconnect();
  });
});

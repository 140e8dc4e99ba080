// Test harness: a real database, stores on local disk and emulators, subsets made through the domain functions.
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { createDb, forTenant, type StorageAccount, type TenantDb } from "@crossdock/db";
import { readDelimited } from "@crossdock/policy";
import { openObjectStore, type ObjectStore, type ObjectStoreConfigInput } from "@crossdock/providers";

export const db = createDb(process.env.DATABASE_URL!, { max: 8 });
export const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 100 };

export async function createTenant(name: string): Promise<TenantDb> {
  const org = await db.organization.create({ data: { name } });
  return forTenant(db, org.id);
}

/** Stored accounts for the tests: the row, plus the config the test opens it with (no secrets stored). */
export class Accounts {
  readonly configs = new Map<string, ObjectStoreConfigInput>();

  async add(tenant: TenantDb, config: ObjectStoreConfigInput): Promise<StorageAccount> {
    const account = await tenant.storageAccounts.create({
      data: { id: randomUUID(), organizationId: tenant.organizationId, name: `acct-${randomUUID().slice(0, 8)}`, provider: config.provider, settings: {} },
    });
    this.configs.set(account.id, config);
    return account;
  }

  open = (account: Pick<StorageAccount, "id">): ObjectStore => {
    const config = this.configs.get(account.id);
    if (!config) throw new Error(`no test config for account ${account.id}`);
    return openObjectStore({ ...config, retry: FAST_RETRY } as ObjectStoreConfigInput);
  };
}

export async function readAll(store: ObjectStore, bucket: string, key: string): Promise<Buffer> {
  const read = await store.readObject(bucket, key);
  const chunks: Buffer[] = [];
  for await (const chunk of read.body as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Object bytes as text, gzip undone (VCFs). */
export async function readText(store: ObjectStore, bucket: string, key: string): Promise<string> {
  const bytes = await readAll(store, bucket, key);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
}

export async function listKeys(store: ObjectStore, bucket: string, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of store.listObjects(bucket, { prefix: prefix || undefined })) for (const o of page.objects) keys.push(o.key);
  return keys;
}

export async function parseCsv(text: string): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  for await (const row of readDelimited([text])) rows.push({ ...row });
  return rows;
}

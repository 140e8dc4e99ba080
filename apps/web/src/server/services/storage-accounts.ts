import "server-only";
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { db, forTenant, keyringFromEnv, recordAudit, sealSecret, type StorageAccount, type TenantDb } from "@crossdock/db";
import { DemoCloudsUnavailableError, openAccountSecrets, openAccountStore as openStoredAccount, secretBinding, storeConfig } from "@crossdock/storage";
import { DEFAULT_REQUESTS_PER_SECOND, isObjectStoreError, objectStoreConfigSchema, openObjectStore, type ErrorKind, type ObjectStore, type ObjectStoreConfigInput } from "@crossdock/providers";
import type { Actor } from "./organizations";

/** What each account form sends. Secret fields may be left empty on edit to keep the stored value. */
export const accountFormSchema = z.discriminatedUnion("provider", [
  z.object({
    provider: z.literal("s3"),
    endpoint: z.union([z.url("Enter the endpoint as a URL, e.g. https://s3.wasabisys.com"), z.literal("")]).optional(),
    region: z.string().trim().min(1, "Enter a region, e.g. us-east-1").max(64),
    accessKeyId: z.string().trim().min(1, "Enter the access key id").max(256),
    secretAccessKey: z.string().max(1024).optional(),
    forcePathStyle: z.boolean().default(false),
  }),
  z.object({
    provider: z.literal("azure"),
    accountName: z.string().trim().min(3, "Enter the storage account name").max(64),
    accountKey: z.string().max(1024).optional(),
    endpoint: z.union([z.url("Enter the blob endpoint as a URL"), z.literal("")]).optional(),
  }),
  z.object({
    provider: z.literal("gcs"),
    projectId: z.string().trim().min(1, "Enter the project id").max(128),
    credentials: z.string().max(20_000).optional(),
    emulatorHost: z.union([z.url(), z.literal("")]).optional(),
  }),
  z.object({ provider: z.literal("local") }),
]);
export type AccountForm = z.infer<typeof accountFormSchema>;

/** Which form fields are secrets: sealed at rest, never sent back. */
const secretFields = { s3: ["secretAccessKey"], azure: ["accountKey"], gcs: ["credentials"], local: [] } as const;

const kindLabel: Record<ErrorKind, string> = {
  InvalidCredentials: "Invalid credentials",
  AccessDenied: "Access denied",
  BucketNotFound: "Bucket not found",
  ObjectNotFound: "Object not found",
  Throttled: "The provider is throttling requests",
  Transient: "The provider could not be reached",
  Permanent: "The provider refused the request",
  InvalidKey: "Invalid object key",
};
const kindCode: Record<ErrorKind, TRPCError["code"]> = {
  InvalidCredentials: "BAD_REQUEST",
  AccessDenied: "FORBIDDEN",
  BucketNotFound: "NOT_FOUND",
  ObjectNotFound: "NOT_FOUND",
  Throttled: "TOO_MANY_REQUESTS",
  Transient: "SERVICE_UNAVAILABLE",
  Permanent: "BAD_REQUEST",
  InvalidKey: "BAD_REQUEST",
};

/** A provider failure as the UI explains it: the kind's label first, then the provider's own words. */
export function explainStoreError(error: unknown): { kind: ErrorKind; message: string } | null {
  if (!isObjectStoreError(error)) return null;
  return { kind: error.kind, message: `${kindLabel[error.kind]}: ${error.message}` };
}

export function toTRPCError(error: unknown): never {
  const explained = explainStoreError(error);
  if (!explained) throw error;
  throw new TRPCError({ code: kindCode[explained.kind], message: explained.message, cause: error });
}

function splitForm(form: AccountForm) {
  const secrets: Record<string, string> = {};
  const settings: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(form)) {
    if (field === "provider" || value === "" || value === undefined) continue;
    if ((secretFields[form.provider] as readonly string[]).includes(field)) secrets[field] = value as string;
    else settings[field] = value;
  }
  return { settings, secrets };
}

/** Opens a stored account's store with short retries: the web app answers people, it does not wait minutes. */
export function openAccountStore(account: StorageAccount): ObjectStore {
  try {
    return openStoredAccount(account, { retry: { maxAttempts: 3, maxDelayMs: 2_000 }, requestTimeoutMs: 15_000 });
  } catch (error) {
    if (error instanceof DemoCloudsUnavailableError) throw new TRPCError({ code: "PRECONDITION_FAILED", message: error.message });
    throw error;
  }
}

function toStoreConfig(...args: Parameters<typeof storeConfig>) {
  try {
    return storeConfig(...args);
  } catch (error) {
    if (error instanceof DemoCloudsUnavailableError) throw new TRPCError({ code: "PRECONDITION_FAILED", message: error.message });
    throw error;
  }
}

function validateConfig(config: ObjectStoreConfigInput) {
  const result = objectStoreConfigSchema.safeParse(config);
  if (!result.success) throw new TRPCError({ code: "BAD_REQUEST", message: result.error.issues.map((i) => i.message).join("; ") });
}

export interface CheckResult {
  ok: boolean;
  buckets: string[];
  kind?: ErrorKind;
  message?: string;
}

async function check(store: ObjectStore): Promise<CheckResult> {
  try {
    const buckets = await store.listBuckets();
    return { ok: true, buckets: buckets.map((b) => b.name) };
  } catch (error) {
    const explained = explainStoreError(error);
    if (!explained) throw error;
    return { ok: false, buckets: [], ...explained };
  } finally {
    await store.close();
  }
}

/** Test connection for a form that is not saved yet (secrets travel once, in, and are not stored). */
export async function checkForm(organizationId: string, form: AccountForm, existing?: StorageAccount): Promise<CheckResult> {
  const { settings, secrets } = splitForm(form);
  const kept = existing ? openAccountSecrets(existing) : {};
  const config = toStoreConfig(form.provider, organizationId, existing?.id ?? "unsaved", { ...settings, ...kept, ...secrets });
  validateConfig(config);
  if (form.provider === "local") return { ok: true, buckets: [] };
  return check(openObjectStore({ ...config, retry: { maxAttempts: 2, maxDelayMs: 1_000 }, requestTimeoutMs: 10_000 }));
}

export async function checkAccount(tenant: TenantDb, account: StorageAccount): Promise<CheckResult> {
  const result = await check(openAccountStore(account));
  await tenant.storageAccounts.update({
    where: { id: account.id },
    data: { lastCheckedAt: new Date(), lastCheckError: result.ok ? null : (result.message ?? null), lastCheckKind: result.kind ?? null },
  });
  return result;
}

/** What the browser may see of an account: never a secret, only whether one is stored. */
export function publicAccount(account: StorageAccount) {
  return {
    id: account.id,
    name: account.name,
    provider: account.provider,
    settings: account.settings as Record<string, string | boolean>,
    hasSecret: !!account.secretCiphertext,
    demoCloud: account.demoCloud,
    lastCheckedAt: account.lastCheckedAt,
    lastCheckError: account.lastCheckError,
    lastCheckKind: account.lastCheckKind,
    /** The fleet-wide request limit set for this account (null: the provider default; 0: none). */
    requestsPerSecond: account.requestsPerSecond,
    defaultRequestsPerSecond: DEFAULT_REQUESTS_PER_SECOND[account.provider],
    createdAt: account.createdAt,
  };
}

/** Sets the requests per second every worker together may send to the account (null: provider default, 0: unlimited). */
export async function setRequestRate(tenant: TenantDb, actor: Actor, account: StorageAccount, requestsPerSecond: number | null) {
  return db().$transaction(async (tx) => {
    const scoped = forTenant(tx, tenant.organizationId);
    const updated = await scoped.storageAccounts.update({ where: { id: account.id }, data: { requestsPerSecond } });
    await recordAudit(scoped, {
      actorId: actor.userId,
      action: "storage_account.request_rate_changed",
      targetType: "StorageAccount",
      targetId: account.id,
      ip: actor.ip,
      details: { name: account.name, from: account.requestsPerSecond, to: requestsPerSecond },
    });
    return updated;
  });
}

export async function createAccount(tenant: TenantDb, actor: Actor, name: string, form: AccountForm, demoCloud?: string) {
  const id = randomUUID();
  const { settings, secrets } = splitForm(form);
  const required = secretFields[form.provider].filter((f) => f !== "credentials" && !secrets[f]);
  if (required.length && !demoCloud) throw new TRPCError({ code: "BAD_REQUEST", message: `Enter the ${required.join(", ")}.` });
  validateConfig(toStoreConfig(form.provider, tenant.organizationId, id, { ...settings, ...secrets, demoCloud }));
  const sealed = Object.keys(secrets).length ? sealSecret(secrets, secretBinding({ organizationId: tenant.organizationId, id }), keyringFromEnv()) : null;
  try {
    return await db().$transaction(async (tx) => {
      const scoped = forTenant(tx, tenant.organizationId);
      const account = await scoped.storageAccounts.create({
        data: { id, organizationId: tenant.organizationId, name, provider: form.provider, settings: { ...settings, ...(demoCloud ? { demoCloud } : {}) }, secretCiphertext: sealed?.ciphertext ?? null, secretKeyId: sealed?.keyId ?? null, demoCloud: demoCloud ?? null, createdById: actor.userId },
      });
      await recordAudit(scoped, { actorId: actor.userId, action: "storage_account.created", targetType: "StorageAccount", targetId: id, ip: actor.ip, details: { name, provider: form.provider } });
      return account;
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new TRPCError({ code: "CONFLICT", message: `A storage account named "${name}" already exists in this organization.` });
    throw error;
  }
}

export async function updateAccount(tenant: TenantDb, actor: Actor, account: StorageAccount, name: string, form: AccountForm) {
  if (form.provider !== account.provider) throw new TRPCError({ code: "BAD_REQUEST", message: "The provider of an account cannot change; add a new account instead." });
  const { settings, secrets } = splitForm(form);
  const kept = openAccountSecrets(account);
  const merged = { ...kept, ...secrets };
  validateConfig(toStoreConfig(form.provider, tenant.organizationId, account.id, { ...settings, ...merged }));
  const sealed = Object.keys(merged).length ? sealSecret(merged, secretBinding(account), keyringFromEnv()) : null;
  return db().$transaction(async (tx) => {
    const scoped = forTenant(tx, tenant.organizationId);
    const updated = await scoped.storageAccounts.update({
      where: { id: account.id },
      data: { name, settings: { ...settings, ...(account.demoCloud ? { demoCloud: account.demoCloud } : {}) }, secretCiphertext: sealed?.ciphertext ?? null, secretKeyId: sealed?.keyId ?? null, lastCheckedAt: null, lastCheckError: null, lastCheckKind: null },
    });
    await recordAudit(scoped, { actorId: actor.userId, action: "storage_account.updated", targetType: "StorageAccount", targetId: account.id, ip: actor.ip, details: { name, secretsChanged: Object.keys(secrets) } });
    return updated;
  });
}

export async function deleteAccount(tenant: TenantDb, actor: Actor, accountId: string) {
  await db().$transaction(async (tx) => {
    const scoped = forTenant(tx, tenant.organizationId);
    const account = await scoped.storageAccounts.findUnique({ where: { id: accountId } });
    if (!account) throw new TRPCError({ code: "NOT_FOUND", message: "No storage account with that id in this organization." });
    const inUse = await scoped.migrations.findFirst({ where: { OR: [{ sourceAccountId: accountId }, { destAccountId: accountId }] }, select: { name: true } });
    if (inUse) throw new TRPCError({ code: "CONFLICT", message: `This account is used by the migration "${inUse.name}": delete the migration first.` });
    await scoped.storageAccounts.delete({ where: { id: accountId } });
    await recordAudit(scoped, { actorId: actor.userId, action: "storage_account.deleted", targetType: "StorageAccount", targetId: accountId, ip: actor.ip, details: { name: account.name } });
  });
}


// Stored storage accounts as ObjectStores: secrets decrypted here, on the server, for the web app and
// the workers alike; demo-cloud accounts resolved to the emulators `npm start` runs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { keyringFromEnv, openSecret, type StorageAccount } from "@crossdock/db";
import { openObjectStore, type ObjectStore, type ObjectStoreConfigInput, type StoreRuntime } from "@crossdock/providers";

export type AccountProvider = StorageAccount["provider"];

export interface DemoCloud {
  name: string;
  label: string;
  provider: AccountProvider;
  bucket: string;
  config: ObjectStoreConfigInput;
}

export class DemoCloudsUnavailableError extends Error {
  constructor() {
    super("The demo clouds are not running: they run with `npm start`.");
    this.name = "DemoCloudsUnavailableError";
  }
}

/** The demo clouds `npm start` runs (DEMO_CLOUDS_FILE, written by scripts/demo-clouds.ts), or none. */
export function readDemoClouds(file = process.env.DEMO_CLOUDS_FILE): DemoCloud[] {
  if (!file) return [];
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { clouds: DemoCloud[] }).clouds;
  } catch {
    return [];
  }
}

/** Where a "Crossdock disk" account keeps its objects: a folder of its organization's own. */
export function localRoot(organizationId: string, accountId: string, root = process.env.LOCAL_STORAGE_ROOT ?? path.resolve(".data", "local-storage")) {
  return path.join(root, organizationId, accountId);
}

/** Secrets are sealed to their row: a ciphertext copied elsewhere does not open. */
export const secretBinding = (account: { organizationId: string; id: string }) => `${account.organizationId}:${account.id}`;

export function openAccountSecrets(account: Pick<StorageAccount, "id" | "organizationId" | "secretCiphertext">): Record<string, string> {
  return account.secretCiphertext ? openSecret<Record<string, string>>(account.secretCiphertext, secretBinding(account), keyringFromEnv()) : {};
}

/** The provider configuration for an account's settings and secrets. */
export function storeConfig(provider: AccountProvider, organizationId: string, accountId: string, fields: Record<string, unknown>): ObjectStoreConfigInput {
  if (fields.demoCloud) {
    const demo = readDemoClouds().find((c) => c.name === fields.demoCloud);
    if (!demo) throw new DemoCloudsUnavailableError();
    return demo.config;
  }
  switch (provider) {
    case "local":
      return { provider, rootDir: localRoot(organizationId, accountId) };
    case "gcs": {
      const { credentials, ...rest } = fields;
      return { provider, ...(rest as { projectId: string }), ...(credentials ? { credentials: String(credentials) } : {}) };
    }
    default:
      return { provider, ...fields } as ObjectStoreConfigInput;
  }
}

/** The full configuration of a stored account, secrets decrypted (server side only). */
export function accountConfig(account: Pick<StorageAccount, "id" | "organizationId" | "provider" | "settings" | "secretCiphertext">): ObjectStoreConfigInput {
  return storeConfig(account.provider, account.organizationId, account.id, { ...(account.settings as Record<string, unknown>), ...openAccountSecrets(account) });
}

/**
 * Opens a stored account's store; `overrides` tune retries and timeouts for the caller (web: short, workers:
 * patient); `runtime` carries the fleet's request limiter for the account (workers).
 */
export function openAccountStore(account: StorageAccount, overrides: Partial<Pick<ObjectStoreConfigInput, "retry" | "requestTimeoutMs">> = {}, runtime: StoreRuntime = {}): ObjectStore {
  const config = accountConfig(account);
  return openObjectStore({ ...config, ...overrides, retry: { ...config.retry, ...overrides.retry } }, runtime);
}

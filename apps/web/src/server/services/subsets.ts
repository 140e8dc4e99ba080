import "server-only";
import { TRPCError } from "@trpc/server";
import type { TenantDb } from "@crossdock/db";
import { DeidError } from "@crossdock/policy";
import { openSubsetSecret, SubsetError } from "@crossdock/subsets";
import { openAccountStore, toTRPCError } from "./storage-accounts";

const codes: Record<SubsetError["kind"], TRPCError["code"]> = {
  Malformed: "UNPROCESSABLE_CONTENT",
  InvalidValue: "UNPROCESSABLE_CONTENT",
  InvalidRules: "BAD_REQUEST",
  TooLarge: "PAYLOAD_TOO_LARGE",
  Flagged: "PRECONDITION_FAILED",
  NotFound: "NOT_FOUND",
  Invalid: "BAD_REQUEST",
};

/** Domain and provider refusals as API errors the UI can show (a reason never quotes a data value). */
export async function subsetCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof SubsetError) throw new TRPCError({ code: codes[error.kind], message: error.message });
    if (error instanceof DeidError) throw new TRPCError({ code: error.kind === "InvalidRules" ? "BAD_REQUEST" : "UNPROCESSABLE_CONTENT", message: error.message });
    return toTRPCError(error);
  }
}

export async function findSubset(tenant: TenantDb, id: string) {
  const subset = await tenant.subsets.findUnique({ where: { id } });
  if (!subset) throw new TRPCError({ code: "NOT_FOUND", message: "No subset with that id in this organization." });
  return subset;
}

export async function findAccount(tenant: TenantDb, id: string) {
  const account = await tenant.storageAccounts.findUnique({ where: { id } });
  if (!account) throw new TRPCError({ code: "NOT_FOUND", message: "No storage account with that id in this organization." });
  return account;
}

/** The subset's secret and its source store, for previews: opened here, on the server, never returned. */
export async function withSource<T>(tenant: TenantDb, subsetId: string, accountId: string, fn: (store: ReturnType<typeof openAccountStore>, secret: string) => Promise<T>): Promise<T> {
  const [subset, account] = await Promise.all([findSubset(tenant, subsetId), findAccount(tenant, accountId)]);
  const store = openAccountStore(account);
  try {
    return await subsetCall(() => fn(store, openSubsetSecret(subset)));
  } finally {
    await store.close();
  }
}

// Tenant scoping built into data access: every query through a TenantDb carries the organization's id,
// so a procedure cannot forget it and cannot reach another tenant's rows by passing their ids.
import type { Db } from "./client.ts";
import type { Prisma } from "./generated/prisma/client.ts";

type Client = Db | Prisma.TransactionClient;

/** Models owned by a tenant (they have an organizationId column). Add new tenant-owned models here. */
const tenantModels = {
  memberships: "membership",
  invitations: "invitation",
  auditEvents: "auditEvent",
  notifications: "notification",
  jobRuns: "jobRun",
  storageAccounts: "storageAccount",
  migrations: "migration",
  migrationShards: "migrationShard",
  migrationObjects: "migrationObject",
  usageRecords: "usageRecord",
  // Enclave rows belong to the HOST organization; member organizations read them only through enclaveAccess().
  enclaves: "enclave",
  enclaveMembers: "enclaveMember",
  enclaveInvitations: "enclaveInvitation",
  enclaveContributions: "enclaveContribution",
  enclaveAuditEntries: "enclaveAuditEntry",
  subsets: "subset",
  subsetVersions: "subsetVersion",
  subsetMaterializations: "subsetMaterialization",
  subsetOutputObjects: "subsetOutputObject",
  usageDaily: "usageDaily",
  inventorySnapshots: "inventorySnapshot",
  billingPlans: "billingPlan",
  invoices: "invoice",
  invoiceLines: "invoiceLine",
  billingCredits: "billingCredit",
  apiTokens: "apiToken",
} as const;

type TenantModels = typeof tenantModels;
export type TenantDb = { readonly organizationId: string } & { [K in keyof TenantModels]: Client[TenantModels[K]] };

export class CrossTenantWriteError extends Error {
  constructor(model: string) {
    super(`Refused to write a ${model} row for another organization`);
    this.name = "CrossTenantWriteError";
  }
}

const whereMerged = new Set(["findMany", "findFirst", "findFirstOrThrow", "count", "aggregate", "groupBy", "updateMany", "updateManyAndReturn", "deleteMany"]);
const whereUnique = new Set(["findUnique", "findUniqueOrThrow", "update", "delete"]);

function ownData(model: string, organizationId: string, data: Record<string, unknown>) {
  if (data.organizationId !== undefined && data.organizationId !== organizationId) throw new CrossTenantWriteError(model);
  if (data.organization !== undefined) throw new CrossTenantWriteError(model);
  return { ...data, organizationId };
}

function scopeArgs(model: string, op: string, organizationId: string, args: Record<string, any> = {}) {
  if (whereMerged.has(op)) {
    const scoped = { ...args, where: args.where ? { AND: [args.where, { organizationId }] } : { organizationId } };
    if ((op === "updateMany" || op === "updateManyAndReturn") && args.data && "organizationId" in args.data) throw new CrossTenantWriteError(model);
    return scoped;
  }
  if (whereUnique.has(op)) {
    if (op === "update" && args.data && "organizationId" in args.data) throw new CrossTenantWriteError(model);
    return { ...args, where: { ...args.where, organizationId } };
  }
  if (op === "create") return { ...args, data: ownData(model, organizationId, args.data ?? {}) };
  if (op === "createMany" || op === "createManyAndReturn") {
    const rows = Array.isArray(args.data) ? args.data : [args.data];
    return { ...args, data: rows.map((r: Record<string, unknown>) => ownData(model, organizationId, r)) };
  }
  if (op === "upsert") {
    return { ...args, where: { ...args.where, organizationId }, create: ownData(model, organizationId, args.create ?? {}) };
  }
  throw new Error(`${model}.${op} is not available through a tenant-scoped client`);
}

function scopedDelegate(delegate: any, model: string, organizationId: string) {
  return new Proxy(delegate, {
    get(target, op: string) {
      const method = target[op];
      if (typeof method !== "function") return method;
      return (args?: Record<string, unknown>) => method.call(target, scopeArgs(model, op, organizationId, args));
    },
  });
}

/** Data access for one organization. Works on the root client and inside interactive transactions. */
export function forTenant(client: Client, organizationId: string): TenantDb {
  if (!organizationId) throw new Error("forTenant needs an organization id");
  const scoped: Record<string, unknown> = { organizationId };
  for (const [key, model] of Object.entries(tenantModels)) {
    scoped[key] = scopedDelegate((client as any)[model], model, organizationId);
  }
  return scoped as TenantDb;
}

// Creating, extending and closing enclaves, and the organization's placement policy.
import { randomUUID } from "node:crypto";
import { forTenant, recordAudit, type Prisma, type StorageAccount } from "@crossdock/db";
import { checkEnclaveExtension, checkEnclaveWindow, checkPlacement, parsePlacementPolicy, roleAtLeast, type PlacementPolicy } from "@crossdock/policy";
import { readDemoClouds } from "@crossdock/storage";
import { assertNotEnded, record, requireHost, viewFor } from "./access.ts";
import type { EnclaveActor, EnclaveDeps } from "./deps.ts";
import { refuse } from "./errors.ts";
import { assertListable } from "./reachable.ts";

export interface CreateEnclaveInput {
  name: string;
  purpose: string;
  startsAt: Date;
  endsAt: Date;
  accountId: string;
  bucket: string;
  /** Folder inside the bucket; the enclave's data goes to <prefix>enclave-<id>/ so teardown never touches anything else. */
  prefix: string;
}

function requireAdmin(actor: EnclaveActor, what: string) {
  if (!roleAtLeast(actor.role, "ADMIN")) refuse("Forbidden", `Only owners and admins can ${what}.`);
}

/** The region an account declares: its settings' region, or a demo cloud's configured one. */
export function accountRegion(account: Pick<StorageAccount, "settings" | "demoCloud">): string | null {
  const settings = (account.settings ?? {}) as Record<string, unknown>;
  if (typeof settings.region === "string" && settings.region) return settings.region;
  if (typeof settings.location === "string" && settings.location) return settings.location;
  if (account.demoCloud) {
    const config = readDemoClouds().find((c) => c.name === account.demoCloud)?.config as { region?: string } | undefined;
    return config?.region ?? null;
  }
  return null;
}

export async function placementPolicyOf(deps: Pick<EnclaveDeps, "db">, organizationId: string): Promise<PlacementPolicy> {
  const org = await deps.db.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { enclavePolicy: true } });
  return parsePlacementPolicy(org.enclavePolicy);
}

export async function setPlacementPolicy(deps: EnclaveDeps, actor: EnclaveActor, policy: PlacementPolicy) {
  requireAdmin(actor, "change the enclave placement policy");
  const clean = parsePlacementPolicy(policy);
  await deps.db.$transaction(async (tx) => {
    await tx.organization.update({ where: { id: actor.organizationId }, data: { enclavePolicy: clean as unknown as Prisma.InputJsonObject } });
    await recordAudit(forTenant(tx, actor.organizationId), { actorId: actor.userId, action: "enclave_policy.updated", targetType: "Organization", targetId: actor.organizationId, ip: actor.ip, details: clean as unknown as Prisma.InputJsonObject });
  });
  return clean;
}

function normalizePrefix(prefix: string) {
  const trimmed = prefix.trim().replace(/^\/+/, "");
  if (trimmed.split("/").some((part) => part === "." || part === "..")) refuse("Invalid", "The prefix may not contain . or .. segments.");
  return trimmed === "" || trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}

export async function createEnclave(deps: EnclaveDeps, actor: EnclaveActor, input: CreateEnclaveInput) {
  requireAdmin(actor, "create enclaves");
  const now = deps.clock.now();
  const tenant = forTenant(deps.db, actor.organizationId);
  const policy = await placementPolicyOf(deps, actor.organizationId);
  const window = checkEnclaveWindow(policy, input.startsAt, input.endsAt, now);
  if (!window.allowed) refuse("Invalid", window.reason);
  const account = await tenant.storageAccounts.findUnique({ where: { id: input.accountId } });
  if (!account) refuse("NotFound", "No storage account with that id in this organization.");
  const placement = checkPlacement(policy, { provider: account.provider, region: accountRegion(account) });
  if (!placement.allowed) refuse("Invalid", placement.reason);
  if (await tenant.enclaves.findFirst({ where: { name: input.name } })) refuse("Conflict", `An enclave named "${input.name}" already exists in this organization.`);
  const id = randomUUID();
  const placementPrefix = `${normalizePrefix(input.prefix)}enclave-${id}/`;
  // The bucket must exist and list for the platform now, or contributions and teardown would fail later.
  await assertListable(deps, account, input.bucket, placementPrefix, (why) => `The placement cannot be reached (${account.name}, bucket ${input.bucket}): ${why}`);
  return deps.db.$transaction(async (tx) => {
    const scoped = forTenant(tx, actor.organizationId);
    const enclave = await scoped.enclaves.create({
      data: {
        id, organizationId: actor.organizationId, name: input.name, purpose: input.purpose, startsAt: input.startsAt, endsAt: input.endsAt,
        placementAccountId: account.id, placementBucket: input.bucket, placementPrefix, createdById: actor.userId,
      },
    });
    const details = { name: input.name, startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString(), provider: account.provider, bucket: input.bucket, prefix: placementPrefix };
    await record(tx, id, now, actor, "enclave.created", details);
    await recordAudit(scoped, { actorId: actor.userId, action: "enclave.created", targetType: "Enclave", targetId: id, ip: actor.ip, details });
    return enclave;
  });
}

export async function extendEnclave(deps: EnclaveDeps, actor: EnclaveActor, enclaveId: string, newEnd: Date) {
  requireAdmin(actor, "extend enclaves");
  const view = await viewFor(deps, actor, enclaveId);
  requireHost(view, "extend the enclave");
  const now = deps.clock.now();
  const policy = await placementPolicyOf(deps, actor.organizationId);
  const { enclave } = view;
  const decision = checkEnclaveExtension(policy, enclave.startsAt, enclave.endsAt, newEnd, now);
  if (!decision.allowed) refuse(enclave.endsAt <= now ? "Ended" : "Invalid", decision.reason);
  return deps.db.$transaction(async (tx) => {
    // Only an enclave still open moves: one that ended in the meantime stays ended.
    const moved = await forTenant(tx, actor.organizationId).enclaves.updateMany({ where: { id: enclaveId, state: "ACTIVE", endsAt: enclave.endsAt }, data: { endsAt: newEnd } });
    if (moved.count !== 1) refuse("Conflict", "The enclave changed meanwhile (ended, closed or extended); reload and try again.");
    await record(tx, enclaveId, now, actor, "enclave.extended", { from: enclave.endsAt.toISOString(), to: newEnd.toISOString() });
    await recordAudit(forTenant(tx, actor.organizationId), { actorId: actor.userId, action: "enclave.extended", targetType: "Enclave", targetId: enclaveId, ip: actor.ip, details: { to: newEnd.toISOString() } });
    return { endsAt: newEnd };
  });
}

/** Ends the enclave now: access stops at once, open invitations die, and teardown is queued. */
export async function closeEnclave(deps: EnclaveDeps, actor: EnclaveActor, enclaveId: string) {
  requireAdmin(actor, "close enclaves");
  const view = await viewFor(deps, actor, enclaveId);
  requireHost(view, "close the enclave");
  const now = deps.clock.now();
  assertNotEnded(view.enclave, now, "closing it");
  await deps.db.$transaction(async (tx) => {
    const scoped = forTenant(tx, actor.organizationId);
    const closed = await scoped.enclaves.updateMany({ where: { id: enclaveId, state: "ACTIVE" }, data: { state: "ENDED", endsAt: now, closedAt: now } });
    if (closed.count !== 1) refuse("Conflict", "The enclave has already ended.");
    await scoped.enclaveInvitations.updateMany({ where: { enclaveId, acceptedAt: null, revokedAt: null }, data: { revokedAt: now } });
    await record(tx, enclaveId, now, actor, "enclave.closed", { scheduledEnd: view.enclave.endsAt.toISOString() });
    await recordAudit(scoped, { actorId: actor.userId, action: "enclave.closed", targetType: "Enclave", targetId: enclaveId, ip: actor.ip });
  });
  // The sweep would get there too; asking now only makes it sooner.
  await deps.enqueueTeardown(enclaveId).catch(() => undefined);
  return { closedAt: now };
}

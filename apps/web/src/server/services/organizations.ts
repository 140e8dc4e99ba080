import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { db, forTenant, recordAudit, Prisma, type Role, type TenantDb } from "@crossdock/db";
import { canChangeMember, canInvite } from "@crossdock/policy";
import { enqueueJob } from "@crossdock/jobs";
import { hashPassword, passwordProblem } from "@crossdock/db";
import { jobQueue } from "../redis";

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

function refuse(code: TRPCError["code"], message: string): never {
  throw new TRPCError({ code, message });
}

/** Member changes race (two owners demoting each other): run them serializable and retry conflicts. */
async function serializable<T>(fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db().$transaction(fn, { isolationLevel: "Serializable" });
    } catch (error) {
      const conflict = error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2034";
      if (!conflict || attempt >= 5) throw error;
    }
  }
}

async function welcome(tenant: TenantDb, userId: string) {
  // The organization exists even when the queue is down; the welcome note is a nicety, not a requirement.
  await enqueueJob({ queue: jobQueue(), tenant, kind: "organization.welcome", payload: { userId }, requestedById: null }).catch((error) =>
    console.error(`[web] could not enqueue the welcome job: ${(error as Error).message}`),
  );
}

async function findOpenInvitation(tx: Prisma.TransactionClient, token: string) {
  const invitation = await tx.invitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { organization: true } });
  if (!invitation || invitation.revokedAt) refuse("NOT_FOUND", "This invitation link is not valid. Ask for a new one.");
  if (invitation.acceptedAt) refuse("CONFLICT", "This invitation has already been used. Ask for a new one if you need it.");
  if (invitation.expiresAt <= new Date()) refuse("BAD_REQUEST", "This invitation has expired (invitations last 7 days). Ask for a new one.");
  return invitation;
}

async function joinThroughInvitation(tx: Prisma.TransactionClient, token: string, user: { id: string; email: string }, ip: string) {
  const invitation = await findOpenInvitation(tx, token);
  if (invitation.email !== user.email) {
    refuse("FORBIDDEN", `This invitation was sent to ${invitation.email}. Sign in with that address to accept it.`);
  }
  const tenant = forTenant(tx, invitation.organizationId);
  const existing = await tenant.memberships.findFirst({ where: { userId: user.id } });
  if (existing) refuse("CONFLICT", `You are already a member of ${invitation.organization.name}.`);
  // Claim the invitation first: of two concurrent accepts, only one updates a still-open row.
  const claimed = await tenant.invitations.updateMany({
    where: { id: invitation.id, acceptedAt: null, revokedAt: null },
    data: { acceptedAt: new Date(), acceptedById: user.id },
  });
  if (claimed.count !== 1) refuse("CONFLICT", "This invitation has already been used.");
  await tenant.memberships.create({ data: { organizationId: tenant.organizationId, userId: user.id, role: invitation.role } });
  await recordAudit(tenant, { actorId: user.id, action: "invitation.accepted", targetType: "Invitation", targetId: invitation.id, ip, details: { role: invitation.role } });
  return { organizationId: invitation.organizationId, organizationName: invitation.organization.name, role: invitation.role };
}

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
  organizationName?: string;
  inviteToken?: string;
}

/** Creates the user and either their own organization (as owner) or the membership an invitation offers. */
export async function signUp(input: SignUpInput, ip: string) {
  const problem = passwordProblem(input.password, input.email);
  if (problem) refuse("BAD_REQUEST", `Password too weak: ${problem}`);
  const passwordHash = await hashPassword(input.password);
  try {
    const result = await db().$transaction(async (tx) => {
      const user = await tx.user.create({ data: { name: input.name, email: input.email, passwordHash } });
      if (input.inviteToken) return { userId: user.id, ...(await joinThroughInvitation(tx, input.inviteToken, user, ip)), created: false };
      const org = await tx.organization.create({ data: { name: input.organizationName || `${input.name}'s organization` } });
      const tenant = forTenant(tx, org.id);
      await tenant.memberships.create({ data: { organizationId: org.id, userId: user.id, role: "OWNER" } });
      await recordAudit(tenant, { actorId: user.id, action: "organization.created", targetType: "Organization", targetId: org.id, ip, details: { name: org.name, via: "sign-up" } });
      return { userId: user.id, organizationId: org.id, organizationName: org.name, role: "OWNER" as Role, created: true };
    });
    if (result.created) await welcome(forTenant(db(), result.organizationId), result.userId);
    return result;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      refuse("CONFLICT", "An account with this email already exists. Sign in instead.");
    }
    throw error;
  }
}

export async function createOrganization(userId: string, name: string, ip: string) {
  const org = await db().$transaction(async (tx) => {
    const org = await tx.organization.create({ data: { name } });
    const tenant = forTenant(tx, org.id);
    await tenant.memberships.create({ data: { organizationId: org.id, userId, role: "OWNER" } });
    await recordAudit(tenant, { actorId: userId, action: "organization.created", targetType: "Organization", targetId: org.id, ip, details: { name } });
    return org;
  });
  await welcome(forTenant(db(), org.id), userId);
  return org;
}

export interface Actor {
  userId: string;
  role: Role;
  ip: string;
}

export async function createInvitation(tenant: TenantDb, actor: Actor, email: string, role: Role) {
  const decision = canInvite(actor.role, role);
  if (!decision.allowed) refuse("FORBIDDEN", decision.reason);
  const member = await tenant.memberships.findFirst({ where: { user: { email } } });
  if (member) refuse("CONFLICT", `${email} is already a member of this organization.`);
  const token = randomBytes(32).toString("base64url");
  const invitation = await db().$transaction(async (tx) => {
    const scoped = forTenant(tx, tenant.organizationId);
    const invitation = await scoped.invitations.create({
      data: { organizationId: tenant.organizationId, email, role, tokenHash: hashToken(token), invitedById: actor.userId, expiresAt: new Date(Date.now() + INVITATION_TTL_MS) },
    });
    await recordAudit(scoped, { actorId: actor.userId, action: "invitation.created", targetType: "Invitation", targetId: invitation.id, ip: actor.ip, details: { email, role } });
    return invitation;
  });
  return { invitation, token };
}

export async function revokeInvitation(tenant: TenantDb, actor: Actor, invitationId: string) {
  await db().$transaction(async (tx) => {
    const scoped = forTenant(tx, tenant.organizationId);
    const revoked = await scoped.invitations.updateMany({ where: { id: invitationId, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    if (revoked.count !== 1) refuse("NOT_FOUND", "No open invitation with that id in this organization.");
    await recordAudit(scoped, { actorId: actor.userId, action: "invitation.revoked", targetType: "Invitation", targetId: invitationId, ip: actor.ip });
  });
}

/** What the invitation page shows before anyone signs in. */
export async function describeInvitation(token: string) {
  const invitation = await db().invitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { organization: true, invitedBy: true } });
  if (!invitation || invitation.revokedAt) return { status: "invalid" as const };
  const base = { organizationName: invitation.organization.name, email: invitation.email, role: invitation.role, invitedBy: invitation.invitedBy.name };
  if (invitation.acceptedAt) return { status: "used" as const, ...base };
  if (invitation.expiresAt <= new Date()) return { status: "expired" as const, ...base };
  const hasAccount = (await db().user.count({ where: { email: invitation.email } })) > 0;
  return { status: "open" as const, ...base, expiresAt: invitation.expiresAt, hasAccount };
}

export async function acceptInvitation(userId: string, token: string, ip: string) {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId } });
  return db().$transaction((tx) => joinThroughInvitation(tx, token, user, ip));
}

/** Changes a member's role (next) or removes them (next undefined); also how a member leaves. */
export async function changeMember(organizationId: string, actor: Actor, membershipId: string, next: Role | undefined) {
  return serializable(async (tx) => {
    const tenant = forTenant(tx, organizationId);
    const target = await tenant.memberships.findUnique({ where: { id: membershipId }, include: { user: { select: { email: true } } } });
    if (!target) refuse("NOT_FOUND", "No member with that id in this organization.");
    const ownerCount = await tenant.memberships.count({ where: { role: "OWNER" } });
    const self = target.userId === actor.userId;
    const decision = canChangeMember({ actor: actor.role, target: target.role, next, ownerCount, self });
    if (!decision.allowed) refuse("FORBIDDEN", decision.reason);
    if (next === undefined) {
      await tenant.memberships.delete({ where: { id: target.id } });
    } else if (next !== target.role) {
      await tenant.memberships.update({ where: { id: target.id }, data: { role: next } });
    } else {
      return target;
    }
    const action = next === undefined ? (self ? "member.left" : "member.removed") : "member.role_changed";
    await recordAudit(tenant, { actorId: actor.userId, action, targetType: "Membership", targetId: target.id, ip: actor.ip, details: { email: target.user.email, from: target.role, to: next ?? null } });
    return target;
  });
}

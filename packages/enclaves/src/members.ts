// Invitations (a single-use link for an admin of another organization) and member organizations.
import { createHash, randomBytes } from "node:crypto";
import { forTenant, recordAudit, type EnclaveRole } from "@crossdock/db";
import { roleAtLeast } from "@crossdock/policy";
import { assertNotEnded, hasEnded, record, requireHost, viewFor } from "./access.ts";
import type { EnclaveActor, EnclaveDeps } from "./deps.ts";
import { refuse } from "./errors.ts";

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Returns the link's token once; only its hash is stored. It expires in 7 days or at the enclave's end, whichever is first. */
export async function inviteOrganization(deps: EnclaveDeps, actor: EnclaveActor, enclaveId: string, input: { role: EnclaveRole; note?: string }) {
  if (!roleAtLeast(actor.role, "ADMIN")) refuse("Forbidden", "Only owners and admins can invite organizations.");
  const view = await viewFor(deps, actor, enclaveId);
  requireHost(view, "invite organizations");
  const now = deps.clock.now();
  assertNotEnded(view.enclave, now, "inviting");
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Math.min(now.getTime() + INVITATION_TTL_MS, view.enclave.endsAt.getTime()));
  const invitation = await deps.db.$transaction(async (tx) => {
    const scoped = forTenant(tx, actor.organizationId);
    const invitation = await scoped.enclaveInvitations.create({
      data: { organizationId: actor.organizationId, enclaveId, role: input.role, note: input.note || null, tokenHash: hashToken(token), createdById: actor.userId, expiresAt },
    });
    await record(tx, enclaveId, now, actor, "invitation.created", { invitationId: invitation.id, role: input.role, note: input.note ?? null, expiresAt: expiresAt.toISOString() });
    return invitation;
  });
  return { invitation, token };
}

export async function revokeEnclaveInvitation(deps: EnclaveDeps, actor: EnclaveActor, enclaveId: string, invitationId: string) {
  if (!roleAtLeast(actor.role, "ADMIN")) refuse("Forbidden", "Only owners and admins can revoke invitations.");
  const view = await viewFor(deps, actor, enclaveId);
  requireHost(view, "revoke invitations");
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    const revoked = await forTenant(tx, actor.organizationId).enclaveInvitations.updateMany({ where: { id: invitationId, enclaveId, acceptedAt: null, revokedAt: null }, data: { revokedAt: now } });
    if (revoked.count !== 1) refuse("NotFound", "No open invitation with that id in this enclave.");
    await record(tx, enclaveId, now, actor, "invitation.revoked", { invitationId });
  });
}

/** What the accept page shows (no sign-in needed to see whom it is from). */
export async function describeEnclaveInvitation(deps: Pick<EnclaveDeps, "db" | "clock">, token: string) {
  const invitation = await deps.db.enclaveInvitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { enclave: { include: { organization: { select: { name: true } } } } } });
  if (!invitation) return { status: "invalid" as const };
  const now = deps.clock.now();
  const base = { enclaveName: invitation.enclave.name, purpose: invitation.enclave.purpose, hostName: invitation.enclave.organization.name, role: invitation.role, endsAt: invitation.enclave.endsAt };
  if (invitation.revokedAt) return { status: "revoked" as const, ...base };
  if (invitation.acceptedAt) return { status: "used" as const, ...base };
  if (hasEnded(invitation.enclave, now)) return { status: "ended" as const, ...base };
  if (invitation.expiresAt <= now) return { status: "expired" as const, ...base };
  return { status: "open" as const, ...base, expiresAt: invitation.expiresAt };
}

/** The actor's active organization joins with the invitation's role. Single use; refused after the enclave ends. */
export async function acceptEnclaveInvitation(deps: EnclaveDeps, actor: EnclaveActor, token: string) {
  if (!roleAtLeast(actor.role, "ADMIN")) refuse("Forbidden", "Only an owner or admin of your organization can join it to an enclave.");
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const invitation = await tx.enclaveInvitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { enclave: true } });
    if (!invitation) refuse("NotFound", "This enclave invitation link is not valid. Ask the host for a new one.");
    const { enclave } = invitation;
    if (invitation.revokedAt) refuse("Conflict", "This invitation was revoked by the host.");
    if (invitation.acceptedAt) refuse("Conflict", "This invitation has already been used: each link admits one organization once. Ask the host for a new one.");
    if (hasEnded(enclave, now)) refuse("Ended", `The enclave "${enclave.name}" ended at ${enclave.endsAt.toISOString()}: it cannot be joined any more.`);
    if (invitation.expiresAt <= now) refuse("Ended", `This invitation expired at ${invitation.expiresAt.toISOString()}. Ask the host for a new one.`);
    if (enclave.organizationId === actor.organizationId) refuse("Conflict", "Your organization hosts this enclave: it is already in it.");
    const existing = await tx.enclaveMember.findUnique({ where: { enclaveId_memberOrganizationId: { enclaveId: enclave.id, memberOrganizationId: actor.organizationId } } });
    if (existing && !existing.removedAt) refuse("Conflict", `Your organization is already a member of "${enclave.name}" (as ${existing.role.toLowerCase()}).`);
    // Claim first: of two concurrent accepts, only one updates a still-open row.
    const claimed = await tx.enclaveInvitation.updateMany({ where: { id: invitation.id, acceptedAt: null, revokedAt: null }, data: { acceptedAt: now, acceptedByOrganizationId: actor.organizationId } });
    if (claimed.count !== 1) refuse("Conflict", "This invitation has already been used.");
    const host = forTenant(tx, enclave.organizationId);
    const member = existing
      ? await host.enclaveMembers.update({ where: { id: existing.id }, data: { role: invitation.role, removedAt: null, joinedAt: now, joinedById: actor.userId } })
      : await host.enclaveMembers.create({ data: { organizationId: enclave.organizationId, enclaveId: enclave.id, memberOrganizationId: actor.organizationId, role: invitation.role, joinedById: actor.userId, joinedAt: now } });
    const org = await tx.organization.findUniqueOrThrow({ where: { id: actor.organizationId }, select: { name: true } });
    await record(tx, enclave.id, now, actor, "member.joined", { organization: org.name, role: invitation.role, invitationId: invitation.id });
    await recordAudit(forTenant(tx, actor.organizationId), { actorId: actor.userId, action: "enclave.joined", targetType: "Enclave", targetId: enclave.id, ip: actor.ip, details: { enclave: enclave.name, role: invitation.role } });
    return { enclaveId: enclave.id, enclaveName: enclave.name, role: member.role };
  });
}

/** Takes effect at once: every read checks active membership, so the member's next request finds nothing. */
export async function removeMember(deps: EnclaveDeps, actor: EnclaveActor, enclaveId: string, memberId: string) {
  if (!roleAtLeast(actor.role, "ADMIN")) refuse("Forbidden", "Only owners and admins can remove member organizations.");
  const view = await viewFor(deps, actor, enclaveId);
  requireHost(view, "remove members");
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    const scoped = forTenant(tx, actor.organizationId);
    const member = await scoped.enclaveMembers.findFirst({ where: { id: memberId, enclaveId, removedAt: null } });
    if (!member) refuse("NotFound", "No current member with that id in this enclave.");
    await scoped.enclaveMembers.update({ where: { id: member.id }, data: { removedAt: now } });
    const org = await tx.organization.findUniqueOrThrow({ where: { id: member.memberOrganizationId }, select: { name: true } });
    await record(tx, enclaveId, now, actor, "member.removed", { organization: org.name, role: member.role });
    await recordAudit(scoped, { actorId: actor.userId, action: "enclave.member_removed", targetType: "Enclave", targetId: enclaveId, ip: actor.ip, details: { organization: org.name } });
  });
}

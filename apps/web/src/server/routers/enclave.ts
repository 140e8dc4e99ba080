import { z } from "zod";
import { db, enclavesVisibleTo } from "@crossdock/db";
import { enclaveRoles, placementProviders } from "@crossdock/policy";
import {
  acceptEnclaveInvitation, closeEnclave, contribute, createEnclave, describeEnclaveInvitation, enclaveAuditLog, exportEnclaveAudit, extendEnclave, hasEnded,
  inviteOrganization, issueDownloadLink, listEnclaveObjects, placementPolicyOf, removeMember, revokeEnclaveInvitation, setPlacementPolicy, verifyEnclaveAudit,
  verifyEnclaveManifest, viewFor, type EnclaveManifest,
} from "@crossdock/enclaves";
import { orgProcedure, publicProcedure, router } from "../trpc";
import { enclaveCall } from "../services/enclaves";

const id = z.string().min(1).max(64);
const token = z.string().min(10).max(200);
const enclaveActor = (ctx: { userId: string; tenant: { organizationId: string }; actor: { role: "OWNER" | "ADMIN" | "MEMBER" | "VIEWER"; ip: string } }) => ({
  userId: ctx.userId, organizationId: ctx.tenant.organizationId, role: ctx.actor.role, ip: ctx.actor.ip,
});

async function orgNames(ids: string[]) {
  const orgs = await db().organization.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
  return new Map(orgs.map((o) => [o.id, o.name]));
}

export const enclaveRouter = router({
  /** Enclaves the active organization hosts or belongs to; nothing else of any host. */
  list: orgProcedure("VIEWER").query(async ({ ctx }) =>
    enclaveCall(async (deps) => {
      const enclaves = await enclavesVisibleTo(deps.db, ctx.tenant.organizationId);
      const names = await orgNames(enclaves.map((e) => e.organizationId));
      const roles = new Map((await deps.db.enclaveMember.findMany({ where: { memberOrganizationId: ctx.tenant.organizationId, removedAt: null, enclaveId: { in: enclaves.map((e) => e.id) } } })).map((m) => [m.enclaveId, m.role]));
      const now = deps.clock.now();
      return enclaves.map((e) => ({
        id: e.id, name: e.name, purpose: e.purpose, host: names.get(e.organizationId) ?? "", startsAt: e.startsAt, endsAt: e.endsAt, state: e.state, ended: hasEnded(e, now),
        role: e.organizationId === ctx.tenant.organizationId ? "HOST" : (roles.get(e.id) ?? "OBSERVER"),
      }));
    }),
  ),

  get: orgProcedure("VIEWER")
    .input(z.object({ id }))
    .query(async ({ ctx, input }) =>
      enclaveCall(async (deps) => {
        const view = await viewFor(deps, ctx.tenant, input.id);
        const { enclave, role } = view;
        const host = role === "HOST";
        const members = await view.members({ includeRemoved: host });
        const contributions = await view.contributions();
        const names = await orgNames([enclave.organizationId, ...members.map((m) => m.memberOrganizationId), ...contributions.map((c) => c.contributorOrganizationId)]);
        const account = await deps.db.storageAccount.findUniqueOrThrow({ where: { id: enclave.placementAccountId }, select: { name: true, provider: true } });
        const invitations = host ? await deps.db.enclaveInvitation.findMany({ where: { enclaveId: enclave.id, organizationId: enclave.organizationId }, orderBy: { createdAt: "desc" } }) : [];
        const now = deps.clock.now();
        return {
          id: enclave.id, name: enclave.name, purpose: enclave.purpose, host: names.get(enclave.organizationId) ?? "", role,
          startsAt: enclave.startsAt, endsAt: enclave.endsAt, state: enclave.state, closedAt: enclave.closedAt, tornDownAt: enclave.tornDownAt, teardownReport: enclave.teardownReport,
          ended: hasEnded(enclave, now), now,
          // Members learn where the data sits (provider), not which of the host's accounts holds it.
          placement: host ? { account: account.name, provider: account.provider, bucket: enclave.placementBucket, prefix: enclave.placementPrefix } : { provider: account.provider },
          members: members.map((m) => ({ id: m.id, organization: names.get(m.memberOrganizationId) ?? "", role: m.role, joinedAt: m.joinedAt, removedAt: m.removedAt, self: m.memberOrganizationId === ctx.tenant.organizationId })),
          invitations: invitations.map((i) => ({ id: i.id, role: i.role, note: i.note, expiresAt: i.expiresAt, acceptedAt: i.acceptedAt, revokedAt: i.revokedAt, acceptedBy: i.acceptedByOrganizationId ? (names.get(i.acceptedByOrganizationId) ?? "another organization") : null })),
          contributions: contributions.map((c) => ({
            id: c.id, contributor: names.get(c.contributorOrganizationId) ?? "", mine: c.contributorOrganizationId === ctx.tenant.organizationId, subset: c.subsetName, version: c.subsetVersion, state: c.state,
            objects: c.objectCount, bytes: Number(c.bytes), error: c.error, createdAt: c.createdAt, finishedAt: c.finishedAt,
            manifest: c.manifest ? { signature: c.manifestSignature, verified: verifyEnclaveManifest(c.manifest as unknown as EnclaveManifest), objects: (c.manifest as unknown as EnclaveManifest).objects } : null,
          })),
        };
      }),
    ),

  create: orgProcedure("ADMIN")
    .input(z.object({
      name: z.string().trim().min(1, "Enter a name.").max(100),
      purpose: z.string().trim().min(1, "Say what the enclave is for.").max(2000),
      startsAt: z.coerce.date(),
      endsAt: z.coerce.date(),
      accountId: id,
      bucket: z.string().min(1, "Choose a bucket.").max(255),
      prefix: z.string().max(512).default(""),
    }))
    .mutation(({ ctx, input }) => enclaveCall(async (deps) => {
      const e = await createEnclave(deps, enclaveActor(ctx), input);
      return { id: e.id };
    })),

  extend: orgProcedure("ADMIN")
    .input(z.object({ id, endsAt: z.coerce.date() }))
    .mutation(({ ctx, input }) => enclaveCall((deps) => extendEnclave(deps, enclaveActor(ctx), input.id, input.endsAt))),

  close: orgProcedure("ADMIN")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => enclaveCall((deps) => closeEnclave(deps, enclaveActor(ctx), input.id))),

  policy: orgProcedure("VIEWER").query(({ ctx }) => enclaveCall((deps) => placementPolicyOf(deps, ctx.tenant.organizationId))),

  setPolicy: orgProcedure("ADMIN")
    .input(z.object({
      allowedProviders: z.array(z.enum(placementProviders)).max(4).default([]),
      allowedRegions: z.array(z.string().trim().min(1).max(64)).max(50).default([]),
      maxDurationHours: z.number().int().min(1).max(366 * 24),
    }))
    .mutation(({ ctx, input }) => enclaveCall((deps) => setPlacementPolicy(deps, enclaveActor(ctx), input))),

  /** Returns the link once; only its hash is stored. */
  invite: orgProcedure("ADMIN")
    .input(z.object({ id, role: z.enum(enclaveRoles), note: z.string().trim().max(200).optional() }))
    .mutation(({ ctx, input }) => enclaveCall(async (deps) => {
      const { invitation, token } = await inviteOrganization(deps, enclaveActor(ctx), input.id, { role: input.role, note: input.note });
      return { id: invitation.id, role: invitation.role, expiresAt: invitation.expiresAt, path: `/enclave-invite/${token}` };
    })),

  revokeInvitation: orgProcedure("ADMIN")
    .input(z.object({ id, invitationId: id }))
    .mutation(({ ctx, input }) => enclaveCall(async (deps) => {
      await revokeEnclaveInvitation(deps, enclaveActor(ctx), input.id, input.invitationId);
      return { ok: true };
    })),

  describeInvitation: publicProcedure.input(z.object({ token })).query(({ input }) => enclaveCall((deps) => describeEnclaveInvitation(deps, input.token))),

  /** The active organization joins; the domain checks the caller is one of its owners or admins. */
  acceptInvitation: orgProcedure("VIEWER")
    .input(z.object({ token }))
    .mutation(({ ctx, input }) => enclaveCall((deps) => acceptEnclaveInvitation(deps, enclaveActor(ctx), input.token))),

  removeMember: orgProcedure("ADMIN")
    .input(z.object({ id, memberId: id }))
    .mutation(({ ctx, input }) => enclaveCall(async (deps) => {
      await removeMember(deps, enclaveActor(ctx), input.id, input.memberId);
      return { ok: true };
    })),

  /** The active organization's own subsets, for the contribute picker. */
  mySubsets: orgProcedure("MEMBER").query(async ({ ctx }) =>
    (await ctx.tenant.subsets.findMany({ orderBy: { createdAt: "desc" }, select: { id: true, name: true, latestVersion: true } })).map((s) => ({ id: s.id, name: s.name, version: s.latestVersion })),
  ),

  contribute: orgProcedure("MEMBER")
    .input(z.object({ id, subsetId: id }))
    .mutation(({ ctx, input }) => enclaveCall(async (deps) => {
      const c = await contribute(deps, enclaveActor(ctx), input.id, input.subsetId);
      return { id: c.id };
    })),

  objects: orgProcedure("VIEWER")
    .input(z.object({ id }))
    .query(({ ctx, input }) => enclaveCall((deps) => listEnclaveObjects(deps, enclaveActor(ctx), input.id))),

  downloadLink: orgProcedure("VIEWER")
    .input(z.object({ id, key: z.string().min(1).max(4096) }))
    .mutation(({ ctx, input }) => enclaveCall((deps) => issueDownloadLink(deps, enclaveActor(ctx), input.id, input.key))),

  audit: orgProcedure("VIEWER")
    .input(z.object({ id }))
    .query(({ ctx, input }) => enclaveCall((deps) => enclaveAuditLog(deps, enclaveActor(ctx), input.id))),

  verifyAudit: orgProcedure("VIEWER")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => enclaveCall((deps) => verifyEnclaveAudit(deps, enclaveActor(ctx), input.id))),

  exportAudit: orgProcedure("VIEWER")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => enclaveCall((deps) => exportEnclaveAudit(deps, enclaveActor(ctx), input.id))),
});

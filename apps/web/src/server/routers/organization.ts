import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { db, forTenant, recordAudit } from "@crossdock/db";
import { ORG_COOKIE, authedProcedure, orgProcedure, router } from "../trpc";
import { createOrganization } from "../services/organizations";
import { egressPrices } from "../services/migrations";

const name = z.string().trim().min(1, "Enter a name.").max(100);

function setActiveOrg(resHeaders: Headers, organizationId: string) {
  resHeaders.append("set-cookie", `${ORG_COOKIE}=${encodeURIComponent(organizationId)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`);
}

export const organizationRouter = router({
  create: authedProcedure.input(z.object({ name })).mutation(async ({ ctx, input }) => {
    const org = await createOrganization(ctx.userId, input.name, ctx.ip);
    setActiveOrg(ctx.resHeaders, org.id);
    return { id: org.id, name: org.name };
  }),

  switch: authedProcedure.input(z.object({ organizationId: z.string().max(64) })).mutation(async ({ ctx, input }) => {
    const membership = await db().membership.findUnique({ where: { organizationId_userId: { organizationId: input.organizationId, userId: ctx.userId } } });
    if (!membership) throw new TRPCError({ code: "NOT_FOUND", message: "You are not a member of that organization." });
    setActiveOrg(ctx.resHeaders, input.organizationId);
    return { id: input.organizationId };
  }),

  rename: orgProcedure("ADMIN").input(z.object({ name })).mutation(async ({ ctx, input }) => {
    await db().$transaction(async (tx) => {
      await tx.organization.update({ where: { id: ctx.tenant.organizationId }, data: { name: input.name } });
      await recordAudit(forTenant(tx, ctx.tenant.organizationId), { actorId: ctx.userId, action: "organization.renamed", targetType: "Organization", targetId: ctx.tenant.organizationId, ip: ctx.ip, details: { from: ctx.membership.organization.name, to: input.name } });
    });
    return { id: ctx.tenant.organizationId, name: input.name };
  }),

  /** The egress prices dry runs use: the organization's own, else the providers' first-tier list prices. */
  pricing: orgProcedure("VIEWER").query(async ({ ctx }) => egressPrices(ctx.tenant.organizationId)),

  setPricing: orgProcedure("ADMIN")
    .input(z.object({ s3: z.number().min(0).max(10), azure: z.number().min(0).max(10), gcs: z.number().min(0).max(10), local: z.number().min(0).max(10) }))
    .mutation(async ({ ctx, input }) => {
      await db().$transaction(async (tx) => {
        await tx.organization.update({ where: { id: ctx.tenant.organizationId }, data: { egressPrices: input } });
        await recordAudit(forTenant(tx, ctx.tenant.organizationId), { actorId: ctx.userId, action: "organization.pricing_changed", targetType: "Organization", targetId: ctx.tenant.organizationId, ip: ctx.ip, details: input });
      });
      return egressPrices(ctx.tenant.organizationId);
    }),
});

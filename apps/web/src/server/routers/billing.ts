import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { db } from "@crossdock/db";
import { createApiToken, invoiceFor, invoiceList, monthStart, parseMonth, planFor, revokeApiToken } from "@crossdock/billing";
import { orgProcedure, router } from "../trpc";
import { billingErrors, invoiceJson } from "../services/billing";

const month = z.string().regex(/^\d{4}-\d{2}$/, "Use YYYY-MM.");

export const billingRouter = router({
  plan: orgProcedure("VIEWER").query(({ ctx }) => planFor(db(), ctx.tenant.organizationId)),

  invoices: orgProcedure("VIEWER").query(async ({ ctx }) =>
    (await invoiceList(db(), ctx.tenant.organizationId)).map((i) => ({ ...i, usageBytes: Number(i.usageBytes), billableBytes: Number(i.billableBytes), totalCents: Number(i.totalCents) })),
  ),

  /** One month's invoice: the stored one once finalized, else the live one (the month so far). */
  invoice: orgProcedure("VIEWER")
    .input(z.object({ month: month.optional() }).default({}))
    .query(async ({ ctx, input }) => {
      const m = input.month ? billingErrors(() => parseMonth(input.month!)) : monthStart(new Date());
      return invoiceJson(await invoiceFor(db(), ctx.tenant.organizationId, m));
    }),

  tokens: orgProcedure("ADMIN").query(async ({ ctx }) => {
    const rows = await ctx.tenant.apiTokens.findMany({ orderBy: { createdAt: "desc" }, include: { createdBy: { select: { name: true } } } });
    return rows.map((t) => ({ id: t.id, name: t.name, prefix: t.prefix, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt, createdBy: t.createdBy?.name ?? null }));
  }),

  /** The token itself is in this response only; the database keeps its SHA-256. */
  createToken: orgProcedure("ADMIN")
    .input(z.object({ name: z.string().trim().min(1, "Name the token.").max(100) }))
    .mutation(({ ctx, input }) => createApiToken(db(), ctx.tenant.organizationId, input.name, { userId: ctx.userId, ip: ctx.ip })),

  revokeToken: orgProcedure("ADMIN")
    .input(z.object({ id: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      if (!(await revokeApiToken(db(), ctx.tenant.organizationId, input.id, { userId: ctx.userId, ip: ctx.ip }))) {
        throw new TRPCError({ code: "NOT_FOUND", message: "No live API token with that id in this organization." });
      }
      return { ok: true };
    }),
});

import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { db } from "@crossdock/db";
import { DEFAULT_PLAN, dollarsToMicros, invoiceFor, issueCredit, monthStart, parseMonth, setPlan } from "@crossdock/billing";
import { operatorProcedure, router } from "../trpc";
import { billingErrorsAsync } from "../services/billing";

const organizationId = z.string().min(1).max(64);

async function organizationOrThrow(id: string) {
  const org = await db().organization.findUnique({ where: { id } });
  if (!org) throw new TRPCError({ code: "NOT_FOUND", message: "No organization with that id." });
  return org;
}

export const operatorRouter = router({
  /** Every organization with its plan and this month's usage so far. */
  organizations: operatorProcedure.query(async () => {
    const orgs = await db().organization.findMany({ orderBy: { createdAt: "asc" }, include: { billingPlan: true, _count: { select: { memberships: true } } }, take: 500 });
    const month = monthStart(new Date());
    return Promise.all(
      orgs.map(async (o) => {
        const invoice = await invoiceFor(db(), o.id, month);
        return {
          id: o.id, name: o.name, members: o._count.memberships,
          includedGB: o.billingPlan?.includedGB ?? DEFAULT_PLAN.includedGB, priceMicrosPerGB: o.billingPlan?.priceMicrosPerGB ?? DEFAULT_PLAN.priceMicrosPerGB, custom: !!o.billingPlan,
          usageBytes: Number(invoice.usageBytes), totalCents: Number(invoice.totalCents),
        };
      }),
    );
  }),

  setPlan: operatorProcedure
    .input(z.object({ organizationId, includedGB: z.number().int().min(0).max(1_000_000_000), pricePerGB: z.number().min(0).max(100) }))
    .mutation(async ({ ctx, input }) => {
      await organizationOrThrow(input.organizationId);
      let priceMicrosPerGB: number;
      try {
        priceMicrosPerGB = dollarsToMicros(input.pricePerGB);
      } catch (error) {
        throw new TRPCError({ code: "BAD_REQUEST", message: `Price per GB: ${(error as Error).message}` });
      }
      return setPlan(db(), input.organizationId, { includedGB: input.includedGB, priceMicrosPerGB }, { userId: ctx.userId, ip: ctx.ip });
    }),

  /** A correction: a credit line on the organization's invoice for the current month (closed invoices never change). */
  issueCredit: operatorProcedure
    .input(z.object({ organizationId, amountCents: z.number().int().min(1).max(100_000_000), reason: z.string().trim().min(1, "Say why.").max(200), correctsMonth: z.string().regex(/^\d{4}-\d{2}$/).optional() }))
    .mutation(async ({ ctx, input }) => {
      await organizationOrThrow(input.organizationId);
      const credit = await billingErrorsAsync(() =>
        issueCredit(db(), input.organizationId, { amountCents: input.amountCents, reason: input.reason, correctsMonth: input.correctsMonth ? parseMonth(input.correctsMonth) : undefined }, { userId: ctx.userId, ip: ctx.ip }),
      );
      return { id: credit.id };
    }),
});

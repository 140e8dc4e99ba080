import { z } from "zod";
import { db, recordAudit } from "@crossdock/db";
import { analyticsFor } from "@crossdock/billing";
import { enqueueInventoryScan } from "@crossdock/jobs";
import { orgProcedure, router } from "../trpc";
import { billingErrorsAsync, billingQueue, rangeOf } from "../services/billing";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use YYYY-MM-DD.");

export const analyticsRouter = router({
  /** Everything the analytics page shows for a day range (UTC), computed on the server. */
  overview: orgProcedure("VIEWER")
    .input(z.object({ from: day.optional(), to: day.optional() }).default({}))
    .query(async ({ ctx, input }) => {
      const organizationId = ctx.tenant.organizationId;
      const range = rangeOf(input.from, input.to);
      const [analytics, scanning, accounts] = await Promise.all([
        billingErrorsAsync(() => analyticsFor(db(), organizationId, range)),
        ctx.tenant.inventorySnapshots.count({ where: { status: "SCANNING" } }),
        ctx.tenant.storageAccounts.count(),
      ]);
      return { ...analytics, scanning, accounts };
    }),

  /** "Refresh now": queue an inventory scan of every storage account of the organization. */
  refreshInventory: orgProcedure("MEMBER").mutation(async ({ ctx }) => {
    const accounts = await ctx.tenant.storageAccounts.findMany({ select: { id: true, organizationId: true } });
    for (const account of accounts) await enqueueInventoryScan(billingQueue(), account);
    await recordAudit(ctx.tenant, { actorId: ctx.userId, action: "inventory.refresh_requested", targetType: "Organization", targetId: ctx.tenant.organizationId, ip: ctx.ip, details: { accounts: accounts.length } });
    return { queued: accounts.length };
  }),
});

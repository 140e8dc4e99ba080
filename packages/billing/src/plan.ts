// Billing plans: what an organization pays per gigabyte moved. Organizations without a plan row get the default.
import { recordAudit, forTenant, type Db } from "@crossdock/db";
import { z } from "zod";

export interface Plan {
  includedGB: number;
  priceMicrosPerGB: number;
  /** False when the organization has no plan of its own (the default applies). */
  custom: boolean;
}

/** 100 GB a month included, then $0.02 per GB. */
export const DEFAULT_PLAN: Omit<Plan, "custom"> = { includedGB: 100, priceMicrosPerGB: 20_000 };

export const planInput = z.object({
  includedGB: z.number().int("Whole gigabytes only.").min(0).max(1_000_000_000),
  priceMicrosPerGB: z.number().int().min(0).max(100_000_000, "At most $100 per GB."),
});

export async function planFor(db: Db, organizationId: string): Promise<Plan> {
  const row = await forTenant(db, organizationId).billingPlans.findFirst();
  return row ? { includedGB: row.includedGB, priceMicrosPerGB: row.priceMicrosPerGB, custom: true } : { ...DEFAULT_PLAN, custom: false };
}

/** The operator sets an organization's plan; the change is audited in that organization's log. */
export async function setPlan(db: Db, organizationId: string, input: z.input<typeof planInput>, actor: { userId: string; ip?: string | null }) {
  const plan = planInput.parse(input);
  await db.$transaction(async (tx) => {
    const tenant = forTenant(tx, organizationId);
    const before = await tenant.billingPlans.findFirst();
    await tenant.billingPlans.upsert({
      where: { organizationId },
      create: { organizationId, ...plan, updatedById: actor.userId },
      update: { ...plan, updatedById: actor.userId },
    });
    await recordAudit(tenant, {
      actorId: actor.userId, action: "billing.plan_changed", targetType: "Organization", targetId: organizationId, ip: actor.ip,
      details: { from: before ? { includedGB: before.includedGB, priceMicrosPerGB: before.priceMicrosPerGB } : "default", to: plan },
    });
  });
  return planFor(db, organizationId);
}

// Monthly invoices from the metering ledger. computeInvoice is the arithmetic (pure); the rest reads the ledger's
// daily rollup, finalizes closed months (once: the (organization, month) key and triggers keep it immutable), and
// issues credits, which land on the invoice of the month they are issued in.
import { Prisma, forTenant, recordAudit, type Db } from "@crossdock/db";
import { BYTES_PER_GB, chargeCents, formatCents, formatGB } from "./money.ts";
import { dayKey, monthClosed, monthKey, monthStart, nextMonth } from "./month.ts";
import { planFor, type Plan } from "./plan.ts";

export type LineKind = "USAGE" | "ALLOWANCE" | "CREDIT";

export interface InvoiceLineDraft {
  kind: LineKind;
  migrationId: string | null;
  description: string;
  bytes: bigint;
  amountCents: bigint;
}

export interface InvoiceDraft {
  month: Date;
  includedGB: number;
  priceMicrosPerGB: number;
  usageBytes: bigint;
  billableBytes: bigint;
  totalCents: bigint;
  lines: InvoiceLineDraft[];
}

export interface MigrationUsage {
  migrationId: string | null;
  name: string;
  bytes: bigint;
  objects: bigint;
}

export interface CreditEntry {
  id: string;
  reason: string;
  amountCents: bigint;
}

/**
 * One line per migration (its bytes at the plan's price), the allowance line, one line per credit. The total is the
 * bytes beyond the allowance at the plan's price, rounded half up to the cent once, minus credits; the allowance
 * line is what makes the lines add up to it (so per-line rounding never changes what is owed).
 */
export function computeInvoice(month: Date, plan: Pick<Plan, "includedGB" | "priceMicrosPerGB">, usage: MigrationUsage[], credits: CreditEntry[]): InvoiceDraft {
  const price = plan.priceMicrosPerGB;
  const includedBytes = BigInt(plan.includedGB) * BYTES_PER_GB;
  const usageBytes = usage.reduce((sum, u) => sum + u.bytes, 0n);
  const covered = usageBytes < includedBytes ? usageBytes : includedBytes;
  const billableBytes = usageBytes - covered;
  const overageCents = chargeCents(billableBytes, price);
  const usageLines: InvoiceLineDraft[] = [...usage]
    .sort((a, b) => (a.bytes === b.bytes ? a.name.localeCompare(b.name) : a.bytes > b.bytes ? -1 : 1))
    .map((u) => ({
      kind: "USAGE",
      migrationId: u.migrationId,
      description: `${u.name}: ${u.objects.toLocaleString("en-US")} objects, ${formatGB(u.bytes, 9)} moved`,
      bytes: u.bytes,
      amountCents: chargeCents(u.bytes, price),
    }));
  const usageCents = usageLines.reduce((sum, l) => sum + l.amountCents, 0n);
  const allowance: InvoiceLineDraft = {
    kind: "ALLOWANCE",
    migrationId: null,
    description: `Included: ${plan.includedGB.toLocaleString("en-US")} GB per month (${formatGB(covered, 9)} used of it)`,
    bytes: covered,
    amountCents: overageCents - usageCents,
  };
  const creditLines: InvoiceLineDraft[] = credits.map((c) => ({ kind: "CREDIT", migrationId: null, description: `Credit: ${c.reason}`, bytes: 0n, amountCents: -c.amountCents }));
  const lines = [...usageLines, allowance, ...creditLines];
  return {
    month, includedGB: plan.includedGB, priceMicrosPerGB: price, usageBytes, billableBytes,
    totalCents: lines.reduce((sum, l) => sum + l.amountCents, 0n),
    lines,
  };
}

/** Bytes and objects moved per migration in a UTC month, from the ledger's daily rollup. */
export async function monthUsage(db: Db, organizationId: string, month: Date): Promise<MigrationUsage[]> {
  const rows = await forTenant(db, organizationId).usageDaily.groupBy({
    by: ["migrationId"],
    where: { day: { gte: month, lt: nextMonth(month) } },
    _sum: { bytes: true, objects: true },
  });
  const names = new Map(
    (await forTenant(db, organizationId).migrations.findMany({ where: { id: { in: rows.map((r) => r.migrationId).filter(Boolean) } }, select: { id: true, name: true } })).map((m) => [m.id, m.name]),
  );
  return rows.map((r) => ({
    migrationId: r.migrationId || null,
    name: r.migrationId ? (names.get(r.migrationId) ?? "Deleted migration") : "Other transfers",
    bytes: r._sum.bytes ?? 0n,
    objects: r._sum.objects ?? 0n,
  }));
}

async function monthCredits(db: Db, organizationId: string, month: Date): Promise<CreditEntry[]> {
  const rows = await forTenant(db, organizationId).billingCredits.findMany({ where: { month }, orderBy: { createdAt: "asc" } });
  return rows.map((c) => ({ id: c.id, reason: c.reason, amountCents: c.amountCents }));
}

export interface InvoiceView extends InvoiceDraft {
  id: string | null;
  status: "OPEN" | "FINALIZED";
  /** True once the month has ended (an OPEN one is waiting for finalization). */
  closed: boolean;
  finalizedAt: Date | null;
}

/** The stored invoice when finalized, else the live one computed from the ledger (for the month so far). */
export async function invoiceFor(db: Db, organizationId: string, month: Date, now = new Date()): Promise<InvoiceView> {
  const stored = await forTenant(db, organizationId).invoices.findUnique({
    where: { organizationId_month: { organizationId, month } },
    include: { lines: { orderBy: { position: "asc" } } },
  });
  if (stored?.status === "FINALIZED") {
    return {
      id: stored.id, status: "FINALIZED", closed: true, finalizedAt: stored.finalizedAt, month: stored.month,
      includedGB: stored.includedGB, priceMicrosPerGB: stored.priceMicrosPerGB, usageBytes: stored.usageBytes,
      billableBytes: stored.billableBytes, totalCents: stored.totalCents,
      lines: stored.lines.map((l) => ({ kind: l.kind, migrationId: l.migrationId, description: l.description, bytes: l.bytes, amountCents: l.amountCents })),
    };
  }
  const draft = computeInvoice(month, await planFor(db, organizationId), await monthUsage(db, organizationId, month), await monthCredits(db, organizationId, month));
  return { ...draft, id: null, status: "OPEN", closed: monthClosed(month, now), finalizedAt: null };
}

export class InvoiceError extends Error {
  override readonly name = "InvoiceError";
}

/**
 * Writes a closed month's invoice, once. Idempotent: a second call (a retried job, two workers) returns the stored
 * one. The plan in force at finalization prices the whole month.
 */
export async function finalizeInvoice(db: Db, organizationId: string, month: Date, now = new Date()) {
  if (month.getTime() !== monthStart(month).getTime()) throw new InvoiceError("An invoice month starts at 00:00 UTC on the 1st");
  if (!monthClosed(month, now)) throw new InvoiceError(`${monthKey(month)} has not ended yet (UTC): its invoice is still open`);
  const tenant = forTenant(db, organizationId);
  const existing = await tenant.invoices.findUnique({ where: { organizationId_month: { organizationId, month } } });
  if (existing?.status === "FINALIZED") return existing;
  const draft = computeInvoice(month, await planFor(db, organizationId), await monthUsage(db, organizationId, month), await monthCredits(db, organizationId, month));
  try {
    return await db.$transaction(async (tx) => {
      const t = forTenant(tx, organizationId);
      // A half-written OPEN row (from a crash before this transaction existed) is replaced.
      await t.invoices.deleteMany({ where: { month, status: "OPEN" } });
      const invoice = await t.invoices.create({
        data: {
          organizationId, month, status: "OPEN", includedGB: draft.includedGB, priceMicrosPerGB: draft.priceMicrosPerGB,
          usageBytes: draft.usageBytes, billableBytes: draft.billableBytes, totalCents: draft.totalCents,
        },
      });
      await t.invoiceLines.createMany({
        data: draft.lines.map((l, position) => ({ organizationId, invoiceId: invoice.id, position, kind: l.kind, migrationId: l.migrationId, description: l.description, bytes: l.bytes, amountCents: l.amountCents })),
      });
      const finalized = await t.invoices.update({ where: { id: invoice.id }, data: { status: "FINALIZED", finalizedAt: now } });
      await recordAudit(t, { actorId: null, action: "billing.invoice_finalized", targetType: "Invoice", targetId: invoice.id, details: { month: monthKey(month), totalCents: Number(draft.totalCents) } });
      return finalized;
    });
  } catch (error) {
    // Another worker finalized it first.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      return tenant.invoices.findUniqueOrThrow({ where: { organizationId_month: { organizationId, month } } });
    }
    throw error;
  }
}

/** Margin after a month ends before it is finalized, so ledger rows committed in its last instants are in. */
export const FINALIZE_GRACE_MS = 10 * 60_000;

/** Finalizes every closed month that has usage or credits and no finalized invoice yet (all organizations). */
export async function finalizeClosedMonths(db: Db, now = new Date()) {
  const cutoff = monthStart(new Date(now.getTime() - FINALIZE_GRACE_MS));
  const due = await db.$queryRaw<{ organizationId: string; month: Date }[]>`
    SELECT DISTINCT "organizationId", month FROM (
      SELECT "organizationId", date_trunc('month', "day"::timestamp) AS month FROM "UsageDaily" WHERE "day" < ${dayKey(cutoff)}::date
      UNION
      SELECT "organizationId", "month" FROM "BillingCredit" WHERE "month" < ${cutoff}
    ) AS m
    WHERE NOT EXISTS (SELECT 1 FROM "Invoice" i WHERE i."organizationId" = m."organizationId" AND i."month" = m.month AND i."status" = 'FINALIZED')
    ORDER BY month, "organizationId"`;
  const finalized = [];
  for (const { organizationId, month } of due) {
    const invoice = await finalizeInvoice(db, organizationId, monthStart(month), now);
    finalized.push({ organizationId, month: monthKey(monthStart(month)), invoiceId: invoice.id, totalCents: Number(invoice.totalCents) });
  }
  return finalized;
}

/** Invoices of an organization: finalized ones, plus the open current month and any closed month still open. */
export async function invoiceList(db: Db, organizationId: string, now = new Date()) {
  const stored = await forTenant(db, organizationId).invoices.findMany({ where: { status: "FINALIZED" }, orderBy: { month: "desc" }, take: 36 });
  const current = await invoiceFor(db, organizationId, monthStart(now), now);
  const rows = stored.map((i) => ({ month: monthKey(i.month), status: "FINALIZED" as "OPEN" | "FINALIZED", usageBytes: i.usageBytes, billableBytes: i.billableBytes, totalCents: i.totalCents, finalizedAt: i.finalizedAt }));
  if (!rows.some((r) => r.month === monthKey(current.month))) {
    rows.unshift({ month: monthKey(current.month), status: "OPEN", usageBytes: current.usageBytes, billableBytes: current.billableBytes, totalCents: current.totalCents, finalizedAt: null });
  }
  return rows;
}

/**
 * A correction: a credit (positive cents, taken off) on the invoice of the month it is issued in, never a change to a
 * closed invoice. `correctsMonth` names the invoice it corrects, for the record.
 */
export async function issueCredit(db: Db, organizationId: string, input: { amountCents: number; reason: string; correctsMonth?: Date }, actor: { userId: string; ip?: string | null }, now = new Date()) {
  if (!Number.isInteger(input.amountCents) || input.amountCents <= 0) throw new InvoiceError("A credit is a positive whole number of cents");
  const month = monthStart(now);
  return db.$transaction(async (tx) => {
    const t = forTenant(tx, organizationId);
    const corrected = input.correctsMonth ? await t.invoices.findUnique({ where: { organizationId_month: { organizationId, month: input.correctsMonth } } }) : null;
    if (input.correctsMonth && !corrected) throw new InvoiceError(`No invoice for ${monthKey(input.correctsMonth)} to correct`);
    const credit = await t.billingCredits.create({
      data: { organizationId, month, amountCents: BigInt(input.amountCents), reason: input.reason, correctsInvoiceId: corrected?.id ?? null, createdById: actor.userId },
    });
    await recordAudit(t, { actorId: actor.userId, action: "billing.credit_issued", targetType: "BillingCredit", targetId: credit.id, ip: actor.ip, details: { amount: formatCents(input.amountCents), reason: input.reason, month: monthKey(month) } });
    return credit;
  });
}

export const INVOICE_CSV_COLUMNS = ["position", "kind", "migration_id", "description", "bytes", "gigabytes", "amount_cents", "amount_usd"] as const;

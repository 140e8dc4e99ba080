import "server-only";
import { TRPCError } from "@trpc/server";
import { AnalyticsRangeError, INVOICE_CSV_COLUMNS, InvoiceError, MonthError, formatCents, formatGB, monthKey, parseDay, toCsv, type DayRange, type InvoiceView } from "@crossdock/billing";
import { createBillingQueue } from "@crossdock/jobs";
import { env } from "../env";
import { redis } from "../redis";

const g = globalThis as unknown as { crossdockBillingQueue?: ReturnType<typeof createBillingQueue> };

export function billingQueue() {
  return (g.crossdockBillingQueue ??= createBillingQueue(redis(), env().REDIS_PREFIX));
}

/** The default range of the analytics page: the last 30 UTC days, today included. */
export function defaultRange(now = new Date()): DayRange {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { from: new Date(to.getTime() - 29 * 86_400_000), to };
}

/** "YYYY-MM-DD" query values (either may be missing) to a range, or a 400 with the reason. */
export function rangeOf(from?: string | null, to?: string | null): DayRange {
  const fallback = defaultRange();
  return billingErrors(() => ({ from: from ? parseDay(from) : fallback.from, to: to ? parseDay(to) : fallback.to }));
}

/** Billing refusals as API errors the UI can show. */
export function billingErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof MonthError || error instanceof AnalyticsRangeError || error instanceof InvoiceError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
    throw error;
  }
}

export async function billingErrorsAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof MonthError || error instanceof AnalyticsRangeError || error instanceof InvoiceError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
    throw error;
  }
}

/** An invoice as the browser gets it: plain numbers (bytes and cents fit doubles exactly at any real size). */
export function invoiceJson(invoice: InvoiceView) {
  return {
    id: invoice.id, month: monthKey(invoice.month), status: invoice.status, closed: invoice.closed, finalizedAt: invoice.finalizedAt,
    includedGB: invoice.includedGB, priceMicrosPerGB: invoice.priceMicrosPerGB,
    usageBytes: Number(invoice.usageBytes), billableBytes: Number(invoice.billableBytes), totalCents: Number(invoice.totalCents),
    lines: invoice.lines.map((l, i) => ({ position: i + 1, kind: l.kind, migrationId: l.migrationId, description: l.description, bytes: Number(l.bytes), amountCents: Number(l.amountCents) })),
  };
}

export function invoiceCsv(invoice: InvoiceView) {
  return toCsv(
    INVOICE_CSV_COLUMNS,
    invoice.lines.map((l, i) => ({
      position: i + 1, kind: l.kind, migration_id: l.migrationId ?? "", description: l.description, bytes: l.bytes.toString(),
      gigabytes: formatGB(l.bytes, 9).replace(" GB", "").replaceAll(",", ""), amount_cents: l.amountCents.toString(), amount_usd: formatCents(l.amountCents).replace("$", "").replaceAll(",", ""),
    })).concat([{ position: invoice.lines.length + 1, kind: "TOTAL" as never, migration_id: "", description: `Total for ${monthKey(invoice.month)} (${invoice.status.toLowerCase()})`, bytes: invoice.usageBytes.toString(), gigabytes: "", amount_cents: invoice.totalCents.toString(), amount_usd: formatCents(invoice.totalCents).replace("$", "").replaceAll(",", "") }]),
  );
}

// @crossdock/billing: per-cloud usage analytics and per-gigabyte billing, as plain functions over the database (the
// worker and the web app call them; tests call them without Redis).
export { ensureOperator, DEFAULT_OPERATOR_EMAIL } from "./operator.ts";
export { BYTES_PER_GB, chargeCents, divideRoundHalfUp, formatCents, formatGB, dollarsToMicros, microsToDollars } from "./money.ts";
export { monthStart, nextMonth, monthKey, parseMonth, monthClosed, dayKey, parseDay, MonthError } from "./month.ts";
export { DEFAULT_PLAN, planFor, setPlan, planInput, type Plan } from "./plan.ts";
export {
  computeInvoice, monthUsage, invoiceFor, finalizeInvoice, finalizeClosedMonths, invoiceList, issueCredit, InvoiceError, FINALIZE_GRACE_MS, INVOICE_CSV_COLUMNS,
  type InvoiceDraft, type InvoiceLineDraft, type InvoiceView, type MigrationUsage, type CreditEntry, type LineKind,
} from "./invoice.ts";
export { InventoryTally, startInventoryScan, runInventoryScan, scanAccount, compactInventoryHistory, KEEP_ALL_SNAPSHOTS_MS, PREFIX_DEPTHS, TOP_PREFIXES, type ScanOptions, type ScanOutcome, type PrefixTotal, type TallyState } from "./inventory.ts";
export { PROVIDERS, DEFAULT_STORAGE_PRICES, organizationEgressPrices, egressUsd, storageUsdPerMonth, roundUsd, type Route } from "./cost.ts";
export { analyticsFor, analyticsQueries, analyticsTables, checkRange, ANALYTICS_TABLES, MAX_RANGE_DAYS, RangeError_ as AnalyticsRangeError, type Analytics, type AnalyticsTableName, type CloudCard, type DayRange } from "./analytics.ts";
export { createApiToken, revokeApiToken, authenticateApiToken, hashToken, type TokenCheck } from "./tokens.ts";
export { toCsv } from "./csv.ts";

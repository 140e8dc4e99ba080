// The per-object report: every source key's latest outcome, streamed in key order (keyset pagination),
// with CSV and JSON-lines encoders for downloads.
import type { Db } from "@crossdock/db";
import { tenantOf } from "./migration-row.ts";

export type ObjectResultName = "COPIED" | "UNCHANGED" | "SKIPPED" | "FAILED" | "DELETED";

export interface ReportRow {
  key: string;
  size: number;
  md5: string | null;
  crc32c: string | null;
  result: ObjectResultName;
  error: string | null;
  pass: number;
}

export interface ReportOptions {
  /** Only these outcomes (e.g. ["FAILED"]). */
  results?: ObjectResultName[];
  /** Rows fetched per query. */
  pageSize?: number;
  /** Resume after this key. */
  after?: string;
}

export async function* migrationReport(db: Db, organizationId: string, migrationId: string, options: ReportOptions = {}): AsyncGenerator<ReportRow> {
  const t = tenantOf(db, organizationId);
  const pageSize = options.pageSize ?? 1000;
  let after = options.after;
  for (;;) {
    const page = await t.migrationObjects.findMany({
      where: { migrationId, ...(after !== undefined ? { key: { gt: after } } : {}), ...(options.results ? { result: { in: options.results } } : {}) },
      orderBy: { key: "asc" },
      take: pageSize,
      select: { key: true, size: true, md5: true, crc32c: true, result: true, error: true, pass: true },
    });
    for (const row of page) yield { ...row, size: Number(row.size) };
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.key;
  }
}

export const REPORT_COLUMNS = ["key", "size", "md5", "crc32c", "result", "error", "pass"] as const;

function csvField(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  // A cell starting with = + - @ (or tab/CR) is a formula in spreadsheet apps: neutralize it (OWASP CSV injection).
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header line; one string per row. */
export async function* reportToCsv(rows: AsyncIterable<ReportRow>): AsyncGenerator<string> {
  yield `${REPORT_COLUMNS.join(",")}\r\n`;
  for await (const row of rows) yield `${REPORT_COLUMNS.map((c) => csvField(row[c])).join(",")}\r\n`;
}

/** One JSON object per line. */
export async function* reportToJsonLines(rows: AsyncIterable<ReportRow>): AsyncGenerator<string> {
  for await (const row of rows) yield `${JSON.stringify(row)}\n`;
}

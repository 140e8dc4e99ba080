import { db } from "@crossdock/db";
import { ANALYTICS_TABLES, analyticsFor, analyticsTables, parseDay, toCsv, type AnalyticsTableName } from "@crossdock/billing";
import { currentUserId } from "~/server/auth";
import { defaultRange } from "~/server/services/billing";
import { activeMembership } from "~/server/trpc";

/** Any table of the analytics page as CSV, computed on the server: ?table=moved-per-day&from=YYYY-MM-DD&to=YYYY-MM-DD */
export async function GET(req: Request) {
  const userId = await currentUserId();
  if (!userId) return Response.json({ error: "Sign in first." }, { status: 401 });
  const membership = await activeMembership(userId, req.headers);
  if (!membership) return Response.json({ error: "Not a member of an organization." }, { status: 403 });
  const params = new URL(req.url).searchParams;
  const table = params.get("table") as AnalyticsTableName | null;
  if (!table || !ANALYTICS_TABLES.includes(table)) return Response.json({ error: `table must be one of: ${ANALYTICS_TABLES.join(", ")}` }, { status: 400 });
  let range = defaultRange();
  try {
    range = { from: params.get("from") ? parseDay(params.get("from")!) : range.from, to: params.get("to") ? parseDay(params.get("to")!) : range.to };
    const analytics = await analyticsFor(db(), membership.organizationId, range);
    const { columns, rows } = analyticsTables(analytics)[table];
    return new Response(toCsv(columns as readonly string[], rows as unknown as Record<string, unknown>[]), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="crossdock-${table}-${analytics.range.from}-to-${analytics.range.to}.csv"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    if (error instanceof Error && (error.name === "MonthError" || error.name === "RangeError")) return Response.json({ error: error.message }, { status: 400 });
    throw error;
  }
}

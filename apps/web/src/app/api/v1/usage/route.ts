import { db } from "@crossdock/db";
import { analyticsFor, authenticateApiToken, invoiceFor, monthStart, parseDay } from "@crossdock/billing";
import { defaultRange, invoiceJson } from "~/server/services/billing";

/**
 * The organization's usage for its own tools: `Authorization: Bearer <API token>` (Billing > API tokens).
 * ?from=YYYY-MM-DD&to=YYYY-MM-DD (UTC days, default the last 30). Only the token's organization is ever read.
 */
export async function GET(req: Request) {
  const auth = await authenticateApiToken(db(), req.headers.get("authorization"));
  if (!auth.ok) return Response.json({ error: auth.reason }, { status: 401, headers: { "www-authenticate": 'Bearer realm="crossdock"' } });
  const params = new URL(req.url).searchParams;
  let range = defaultRange();
  try {
    range = { from: params.get("from") ? parseDay(params.get("from")!) : range.from, to: params.get("to") ? parseDay(params.get("to")!) : range.to };
    const [analytics, invoice, org] = await Promise.all([
      analyticsFor(db(), auth.organizationId, range),
      invoiceFor(db(), auth.organizationId, monthStart(new Date())),
      db().organization.findUniqueOrThrow({ where: { id: auth.organizationId }, select: { id: true, name: true } }),
    ]);
    return Response.json(
      {
        organization: org,
        range: analytics.range,
        totals: analytics.totals,
        clouds: analytics.cards,
        movedPerDay: analytics.movedPerDay,
        migrations: analytics.migrations,
        routes: analytics.routes,
        currentInvoice: invoiceJson(invoice),
      },
      { headers: { "cache-control": "no-store" } },
    );
  } catch (error) {
    if (error instanceof Error && (error.name === "MonthError" || error.name === "RangeError")) return Response.json({ error: error.message }, { status: 400 });
    throw error;
  }
}

import { db } from "@crossdock/db";
import { MonthError, invoiceFor, parseMonth } from "@crossdock/billing";
import { currentUserId } from "~/server/auth";
import { invoiceCsv } from "~/server/services/billing";
import { activeMembership } from "~/server/trpc";

/** One month's invoice as CSV (the stored one once finalized, else the month so far). */
export async function GET(req: Request, { params }: { params: Promise<{ month: string }> }) {
  const { month } = await params;
  const userId = await currentUserId();
  if (!userId) return Response.json({ error: "Sign in first." }, { status: 401 });
  const membership = await activeMembership(userId, req.headers);
  if (!membership) return Response.json({ error: "Not a member of an organization." }, { status: 403 });
  let m: Date;
  try {
    m = parseMonth(month);
  } catch (error) {
    if (error instanceof MonthError) return Response.json({ error: error.message }, { status: 400 });
    throw error;
  }
  const invoice = await invoiceFor(db(), membership.organizationId, m);
  return new Response(invoiceCsv(invoice), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="crossdock-invoice-${month}.csv"`,
      "cache-control": "private, no-store",
    },
  });
}

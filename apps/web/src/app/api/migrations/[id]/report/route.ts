import { Readable } from "node:stream";
import { db, forTenant } from "@crossdock/db";
import { migrationReport, reportToCsv, reportToJsonLines } from "@crossdock/migration";
import { currentUserId } from "~/server/auth";
import { activeMembership } from "~/server/trpc";

/** Every object of a migration with its outcome, streamed (keyset-paginated underneath: flat memory at any size). */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const format = new URL(req.url).searchParams.get("format") === "jsonl" ? "jsonl" : "csv";
  const userId = await currentUserId();
  if (!userId) return Response.json({ error: "Sign in first." }, { status: 401 });
  const membership = await activeMembership(userId, req.headers);
  if (!membership) return Response.json({ error: "Not a member of an organization." }, { status: 403 });
  const migration = await forTenant(db(), membership.organizationId).migrations.findUnique({ where: { id } });
  if (!migration) return Response.json({ error: "No migration with that id in this organization." }, { status: 404 });
  const rows = migrationReport(db(), membership.organizationId, id);
  const lines = format === "csv" ? reportToCsv(rows) : reportToJsonLines(rows);
  const filename = `${migration.name.replace(/[^A-Za-z0-9._-]+/g, "-")}-report.${format === "csv" ? "csv" : "jsonl"}`;
  return new Response(Readable.toWeb(Readable.from(lines)) as ReadableStream, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "private, no-store",
    },
  });
}

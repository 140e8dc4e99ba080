import { Readable } from "node:stream";
import { roleAtLeast } from "@crossdock/policy/roles";
import { currentUserId } from "~/server/auth";
import { requestIp } from "~/server/request-ip";
import { activeMembership } from "~/server/trpc";
import { db, forTenant, recordAudit } from "@crossdock/db";
import { explainStoreError, openAccountStore } from "~/server/services/storage-accounts";

/** Streams an object through the app (for providers and emulators without signed URLs), audited. */
export async function GET(req: Request) {
  const url = new URL(req.url);
  const [accountId, bucket, key] = ["account", "bucket", "key"].map((p) => url.searchParams.get(p));
  if (!accountId || !bucket || !key) return Response.json({ error: "account, bucket and key are required" }, { status: 400 });
  const userId = await currentUserId();
  if (!userId) return Response.json({ error: "Sign in first." }, { status: 401 });
  const membership = await activeMembership(userId, req.headers);
  if (!membership || !roleAtLeast(membership.role, "VIEWER")) return Response.json({ error: "Not a member of an organization." }, { status: 403 });
  const tenant = forTenant(db(), membership.organizationId);
  const account = await tenant.storageAccounts.findUnique({ where: { id: accountId } });
  if (!account) return Response.json({ error: "No storage account with that id in this organization." }, { status: 404 });
  const store = openAccountStore(account);
  try {
    const object = await store.readObject(bucket, key);
    await recordAudit(tenant, { actorId: userId, action: "object.downloaded", targetType: "StorageAccount", targetId: account.id, ip: requestIp(req.headers), details: { bucket, key, size: object.size } });
    const filename = key.split("/").pop() || "download";
    object.body.once("close", () => void store.close());
    return new Response(Readable.toWeb(object.body) as ReadableStream, {
      headers: {
        "content-type": object.contentType ?? "application/octet-stream",
        "content-length": String(object.contentLength),
        "content-disposition": `attachment; filename="${filename.replace(/[^\x20-\x7e]|"/g, "_")}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    await store.close();
    const explained = explainStoreError(error);
    if (!explained) throw error;
    return Response.json({ error: explained.message, kind: explained.kind }, { status: explained.kind === "ObjectNotFound" || explained.kind === "BucketNotFound" ? 404 : 502 });
  }
}

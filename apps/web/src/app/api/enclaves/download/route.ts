import { db } from "@crossdock/db";
import { isEnclaveError, openDownload, toWebStream } from "@crossdock/enclaves";
import { attachmentDisposition } from "@crossdock/providers";
import { currentUserId } from "~/server/auth";
import { requestIp } from "~/server/request-ip";
import { enclaveDeps } from "~/server/services/enclaves";
import { explainStoreError } from "~/server/services/storage-accounts";

const status = { NotFound: 404, Forbidden: 403, Invalid: 400, Conflict: 409, Ended: 410, Unavailable: 503 } as const;

/** An enclave download the app streams (providers and emulators without signed URLs): checked again at this moment. */
export async function GET(req: Request) {
  const token = new URL(req.url).searchParams.get("token");
  if (!token) return Response.json({ error: "token is required" }, { status: 400 });
  const userId = await currentUserId();
  if (!userId) return Response.json({ error: "Sign in first." }, { status: 401 });
  const organizationIds = (await db().membership.findMany({ where: { userId }, select: { organizationId: true } })).map((m) => m.organizationId);
  try {
    const download = await openDownload(enclaveDeps(), token, { userId, organizationIds, ip: requestIp(req.headers) });
    download.object.body.once("close", () => void download.close());
    return new Response(toWebStream(download.object.body as never), {
      headers: {
        "content-type": download.object.contentType ?? "application/octet-stream",
        "content-length": String(download.object.contentLength),
        "content-disposition": attachmentDisposition(download.filename),
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    if (isEnclaveError(error)) return Response.json({ error: error.message, kind: error.kind }, { status: status[error.kind] });
    const explained = explainStoreError(error);
    if (!explained) throw error;
    return Response.json({ error: explained.message, kind: explained.kind }, { status: 502 });
  }
}

// Reading an enclave: listing its contributed objects and short-lived download links. Every listing and
// every link is recorded on the enclave's audit chain. Links last at most 15 minutes and never past the end.
import { Readable } from "node:stream";
import { enclaveAccess, type Enclave } from "@crossdock/db";
import type { ObjectReadResult } from "@crossdock/providers";
import { assertWithinWindow, record, requireRight, viewFor } from "./access.ts";
import type { EnclaveActor, EnclaveDeps } from "./deps.ts";
import { refuse } from "./errors.ts";
import { openToken, sealToken } from "./signing.ts";

export const MAX_LINK_SECONDS = 15 * 60;

export interface EnclaveObject {
  /** Full key in the placement bucket (what a download names). */
  key: string;
  /** Path inside the contribution, as people read it. */
  path: string;
  size: number;
  contributionId: string;
  contributor: string;
}

async function readyContributions(deps: EnclaveDeps, enclave: Enclave) {
  const rows = await deps.db.enclaveContribution.findMany({ where: { enclaveId: enclave.id, state: "READY" }, orderBy: { createdAt: "asc" } });
  const orgs = await deps.db.organization.findMany({ where: { id: { in: rows.map((r) => r.contributorOrganizationId) } }, select: { id: true, name: true } });
  const names = new Map(orgs.map((o) => [o.id, o.name]));
  return rows.map((r) => ({ ...r, contributor: names.get(r.contributorOrganizationId) ?? "unknown" }));
}

/** Lists the objects of every materialized contribution (up to `limit`), and records the listing. */
export async function listEnclaveObjects(deps: EnclaveDeps, actor: EnclaveActor, enclaveId: string, { limit = 1000 }: { limit?: number } = {}) {
  const view = await viewFor(deps, actor, enclaveId);
  requireRight(view, "objects.read");
  const now = deps.clock.now();
  assertWithinWindow(view.enclave, now, "listing its data");
  const account = await deps.db.storageAccount.findUniqueOrThrow({ where: { id: view.enclave.placementAccountId } });
  const store = deps.openStore(account);
  const objects: EnclaveObject[] = [];
  let truncated = false;
  try {
    for (const c of await readyContributions(deps, view.enclave)) {
      for await (const page of store.listObjects(view.enclave.placementBucket, { prefix: c.prefix })) {
        for (const o of page.objects) {
          if (objects.length >= limit) {
            truncated = true;
            break;
          }
          objects.push({ key: o.key, path: o.key.slice(c.prefix.length), size: o.size, contributionId: c.id, contributor: c.contributor });
        }
        if (truncated) break;
      }
    }
  } finally {
    await store.close();
  }
  await deps.db.$transaction((tx) => record(tx, enclaveId, now, actor, "objects.listed", { objects: objects.length, truncated }));
  return { objects, truncated };
}

interface DownloadToken {
  e: string; // enclave
  o: string; // organization
  u: string; // user
  k: string; // key
  x: number; // expiry (ms, enclave clock)
}

export interface DownloadLink {
  url: string;
  /** "signed": the provider's own signed URL; "app": a link the app streams after checking again. */
  via: "signed" | "app";
  expiresAt: Date;
}

/** Finds which READY contribution holds `key`, refusing anything outside them (staging, other prefixes). */
async function contributionOf(deps: EnclaveDeps, enclave: Enclave, key: string) {
  const match = (await readyContributions(deps, enclave)).find((c) => key.startsWith(c.prefix) && key.length > c.prefix.length);
  if (!match) refuse("NotFound", "No such object in this enclave.");
  return match;
}

/** A download link valid for at most 15 minutes and never beyond the enclave's end; recorded. */
export async function issueDownloadLink(deps: EnclaveDeps, actor: EnclaveActor, enclaveId: string, key: string, appBaseUrl = ""): Promise<DownloadLink> {
  const view = await viewFor(deps, actor, enclaveId);
  requireRight(view, "objects.read");
  const now = deps.clock.now();
  try {
    assertWithinWindow(view.enclave, now, "downloading its data");
  } catch (error) {
    // A member's refused attempt is part of the record too.
    await deps.db.$transaction((tx) => record(tx, enclaveId, now, actor, "object.download_refused", { key: key.slice(view.enclave.placementPrefix.length), reason: (error as Error).message }));
    throw error;
  }
  const contribution = await contributionOf(deps, view.enclave, key);
  const seconds = Math.floor(Math.min(MAX_LINK_SECONDS * 1000, view.enclave.endsAt.getTime() - now.getTime()) / 1000);
  if (seconds < 1) refuse("Ended", `The enclave "${view.enclave.name}" ends in under a second: no more links.`);
  const expiresAt = new Date(now.getTime() + seconds * 1000);
  const account = await deps.db.storageAccount.findUniqueOrThrow({ where: { id: view.enclave.placementAccountId } });
  const store = deps.openStore(account);
  let url: string | null;
  let size: number;
  try {
    size = (await store.headObject(view.enclave.placementBucket, key)).size;
    url = await store.signedReadUrl(view.enclave.placementBucket, key, { expiresInSeconds: seconds, filename: key.split("/").pop() || "download" });
  } finally {
    await store.close();
  }
  const via = url ? ("signed" as const) : ("app" as const);
  if (!url) {
    const token = sealToken(deps.signingKey, { e: enclaveId, o: actor.organizationId, u: actor.userId, k: key, x: expiresAt.getTime() } satisfies DownloadToken);
    url = `${appBaseUrl}/api/enclaves/download?token=${encodeURIComponent(token)}`;
  }
  await deps.db.$transaction((tx) =>
    record(tx, enclaveId, now, actor, "object.download_link_issued", { key: key.slice(contribution.prefix.length), contributionId: contribution.id, size, via, expiresAt: expiresAt.toISOString() }),
  );
  return { url, via, expiresAt };
}

/**
 * Serves an app-streamed link: the token must be intact and unexpired, AND the enclave open and the
 * organization still a member right now (removal and the end take effect on links already issued).
 */
export async function openDownload(deps: EnclaveDeps, token: string, requester: { userId: string; organizationIds: string[]; ip?: string | null }): Promise<{ object: ObjectReadResult; filename: string; close(): Promise<void> }> {
  const claims = openToken<DownloadToken>(deps.signingKey, token);
  if (!claims) refuse("Forbidden", "This download link is not valid.");
  if (claims.u !== requester.userId || !requester.organizationIds.includes(claims.o)) refuse("Forbidden", "This download link was issued to someone else.");
  const now = deps.clock.now();
  if (claims.x <= now.getTime()) refuse("Ended", "This download link has expired (links last at most 15 minutes): get a new one from the enclave page.");
  const view = await enclaveAccess(deps.db, claims.o, claims.e);
  if (!view) refuse("Forbidden", "Your organization is no longer a member of this enclave.");
  requireRight(view, "objects.read");
  assertWithinWindow(view.enclave, now, "downloading its data");
  const contribution = await contributionOf(deps, view.enclave, claims.k);
  const account = await deps.db.storageAccount.findUniqueOrThrow({ where: { id: view.enclave.placementAccountId } });
  const store = deps.openStore(account);
  try {
    const object = await store.readObject(view.enclave.placementBucket, claims.k);
    await deps.db.$transaction((tx) =>
      record(tx, claims.e, now, { userId: requester.userId, organizationId: claims.o, ip: requester.ip }, "object.downloaded", { key: claims.k.slice(contribution.prefix.length), contributionId: contribution.id, size: object.size, via: "app" }),
    );
    return { object, filename: claims.k.split("/").pop() || "download", close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

export const toWebStream = (body: Readable) => Readable.toWeb(body) as ReadableStream;

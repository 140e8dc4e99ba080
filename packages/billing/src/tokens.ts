// API tokens for the usage API: random, shown once, stored only as SHA-256, revocable; a revoked token is refused.
import { createHash, randomBytes } from "node:crypto";
import { forTenant, recordAudit, type Db } from "@crossdock/db";

const TOKEN_PREFIX = "cdx_";

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Creates a token; the returned `token` is the only time it exists in clear. */
export async function createApiToken(db: Db, organizationId: string, name: string, actor: { userId: string; ip?: string | null }) {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const record = await db.$transaction(async (tx) => {
    const t = forTenant(tx, organizationId);
    const row = await t.apiTokens.create({ data: { organizationId, name, tokenHash: hashToken(token), prefix: token.slice(0, 10), createdById: actor.userId } });
    await recordAudit(t, { actorId: actor.userId, action: "api_token.created", targetType: "ApiToken", targetId: row.id, ip: actor.ip, details: { name } });
    return row;
  });
  return { token, id: record.id, name: record.name, prefix: record.prefix, createdAt: record.createdAt };
}

/** Revokes a token of this organization; false when there is none with that id (or it was revoked already). */
export async function revokeApiToken(db: Db, organizationId: string, id: string, actor: { userId: string; ip?: string | null }) {
  return db.$transaction(async (tx) => {
    const t = forTenant(tx, organizationId);
    const { count } = await t.apiTokens.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0) return false;
    await recordAudit(t, { actorId: actor.userId, action: "api_token.revoked", targetType: "ApiToken", targetId: id, ip: actor.ip });
    return true;
  });
}

export type TokenCheck = { ok: true; organizationId: string; tokenId: string } | { ok: false; reason: string };

/** Reads `Authorization: Bearer <token>`; only a live (unrevoked) token of a known hash passes. */
export async function authenticateApiToken(db: Db, authorization: string | null): Promise<TokenCheck> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!m) return { ok: false, reason: "Send an API token as `Authorization: Bearer <token>`." };
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(m[1]!) } });
  if (!row) return { ok: false, reason: "Unknown API token." };
  if (row.revokedAt) return { ok: false, reason: "This API token was revoked." };
  await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return { ok: true, organizationId: row.organizationId, tokenId: row.id };
}

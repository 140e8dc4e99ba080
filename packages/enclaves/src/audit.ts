// Reading and checking an enclave's audit chain. Every member role may (observers may do nothing else).
import { verifyEnclaveChain, type EnclaveAuditEntry } from "@crossdock/db";
import { requireRight, viewFor } from "./access.ts";
import type { EnclaveActor, EnclaveDeps } from "./deps.ts";

export async function enclaveAuditLog(deps: EnclaveDeps, actor: EnclaveActor, enclaveId: string, { afterSeq = 0, take = 500 }: { afterSeq?: number; take?: number } = {}) {
  const view = await viewFor(deps, actor, enclaveId);
  requireRight(view, "audit.read");
  const entries = await view.auditEntries({ afterSeq, take });
  const orgIds = [...new Set(entries.map((e) => e.actorOrganizationId).filter((id): id is string => !!id))];
  const userIds = [...new Set(entries.map((e) => e.actorUserId).filter((id): id is string => !!id))];
  const [orgs, users] = await Promise.all([
    deps.db.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, name: true } }),
    deps.db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } }),
  ]);
  const orgName = new Map(orgs.map((o) => [o.id, o.name]));
  const userName = new Map(users.map((u) => [u.id, u.name]));
  return entries.map((e) => ({
    ...e,
    organization: e.actorOrganizationId ? (orgName.get(e.actorOrganizationId) ?? null) : "Crossdock (platform)",
    user: e.actorUserId ? (userName.get(e.actorUserId) ?? null) : null,
  }));
}

export async function verifyEnclaveAudit(deps: EnclaveDeps, actor: EnclaveActor, enclaveId: string) {
  const view = await viewFor(deps, actor, enclaveId);
  requireRight(view, "audit.read");
  return verifyEnclaveChain(deps.db, enclaveId);
}

const line = (e: EnclaveAuditEntry) =>
  JSON.stringify({ seq: e.seq, at: e.at.toISOString(), enclaveId: e.enclaveId, actorUserId: e.actorUserId, actorOrganizationId: e.actorOrganizationId, action: e.action, details: e.details, prevHash: e.prevHash, hash: e.hash });

/** The whole chain as JSON lines: enough for anyone to recompute every hash (see README). */
export async function exportEnclaveAudit(deps: EnclaveDeps, actor: EnclaveActor, enclaveId: string): Promise<string> {
  const view = await viewFor(deps, actor, enclaveId);
  requireRight(view, "audit.read");
  const lines: string[] = [];
  for (let afterSeq = 0; ; ) {
    const page = await view.auditEntries({ afterSeq, take: 1000 });
    if (page.length === 0) break;
    lines.push(...page.map(line));
    afterSeq = page[page.length - 1]!.seq;
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

// The enclave audit chain: each entry's hash covers its content and the previous entry's hash, so changing,
// removing or reordering any entry breaks every hash after it. The table also refuses UPDATE and DELETE
// (a trigger in the migration); verifyEnclaveChain catches what a superuser could still do behind it.
import { createHash } from "node:crypto";
import type { Db } from "./client.ts";
import type { Prisma, EnclaveAuditEntry } from "./generated/prisma/client.ts";

type Client = Db | Prisma.TransactionClient;

export const GENESIS_HASH = "0".repeat(64);

export interface EnclaveAuditInput {
  actorUserId: string | null;
  actorOrganizationId: string | null;
  action: string;
  details?: Record<string, unknown>;
}

/** JSON with object keys sorted at every level: the same value always serializes to the same bytes (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

type Hashed = Pick<EnclaveAuditEntry, "enclaveId" | "seq" | "at" | "actorUserId" | "actorOrganizationId" | "action" | "prevHash"> & { details: unknown };

export function entryHash(e: Hashed): string {
  const body = canonicalJson({
    enclaveId: e.enclaveId, seq: e.seq, at: e.at.toISOString(), actorUserId: e.actorUserId, actorOrganizationId: e.actorOrganizationId,
    action: e.action, details: e.details, prevHash: e.prevHash,
  });
  return createHash("sha256").update(body).digest("hex");
}

/**
 * Appends one entry. Run inside the transaction that makes the change it records. The enclave row is locked
 * (FOR UPDATE) so concurrent appends take turns and every entry links to its true predecessor.
 */
export async function appendEnclaveAudit(tx: Prisma.TransactionClient, enclaveId: string, at: Date, input: EnclaveAuditInput) {
  const locked = await tx.$queryRaw<{ organizationId: string }[]>`SELECT "organizationId" FROM "Enclave" WHERE id = ${enclaveId} FOR UPDATE`;
  if (!locked[0]) throw new Error(`No enclave ${enclaveId}`);
  const last = await tx.enclaveAuditEntry.findFirst({ where: { enclaveId }, orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  // Milliseconds only: what PostgreSQL stores is what gets hashed.
  const entry = {
    enclaveId,
    seq: (last?.seq ?? 0) + 1,
    at: new Date(Math.floor(at.getTime())),
    actorUserId: input.actorUserId,
    actorOrganizationId: input.actorOrganizationId,
    action: input.action,
    details: JSON.parse(canonicalJson(input.details ?? {})) as Prisma.InputJsonObject,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  return tx.enclaveAuditEntry.create({ data: { ...entry, organizationId: locked[0].organizationId, hash: entryHash(entry) } });
}

export type ChainVerdict =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; brokenAt: number; reason: string };

/** Recomputes the chain in order; reports the first entry whose hash or link does not hold. */
export async function verifyEnclaveChain(client: Client, enclaveId: string): Promise<ChainVerdict> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (let afterSeq = 0; ; ) {
    const page = await client.enclaveAuditEntry.findMany({ where: { enclaveId, seq: { gt: afterSeq } }, orderBy: { seq: "asc" }, take: 1000 });
    if (page.length === 0) break;
    for (const e of page) {
      count++;
      if (e.seq !== expectedSeq) return { ok: false, entries: count, brokenAt: expectedSeq, reason: `Entry ${expectedSeq} is missing (next is ${e.seq}).` };
      if (e.prevHash !== prev) return { ok: false, entries: count, brokenAt: e.seq, reason: `Entry ${e.seq} does not link to entry ${e.seq - 1}.` };
      if (entryHash(e) !== e.hash) return { ok: false, entries: count, brokenAt: e.seq, reason: `Entry ${e.seq} (${e.action}) was altered: its content no longer matches its hash.` };
      prev = e.hash;
      expectedSeq++;
    }
    afterSeq = page[page.length - 1]!.seq;
  }
  return { ok: true, entries: count, head: prev };
}

// How an organization reaches a collaboration enclave. The host owns every enclave row (forTenant of the
// host sees them all); a member organization gets no TenantDb of the host, only this view: the enclaves it
// actively belongs to, each with its role, and rows of those enclaves alone. Nothing here reaches the host's
// accounts, subsets or other enclaves: every query below is pinned to one enclave id that passed the check.
import type { Db } from "./client.ts";
import type { Prisma, Enclave, EnclaveRole } from "./generated/prisma/client.ts";

type Client = Db | Prisma.TransactionClient;

export type EnclaveStanding = "HOST" | EnclaveRole;

export interface EnclaveView {
  enclave: Enclave;
  /** HOST for the owning organization, else the member organization's role. */
  role: EnclaveStanding;
  /** The organization looking (host or member). */
  organizationId: string;
  /** Reads pinned to this enclave. */
  members: (args?: { includeRemoved?: boolean }) => Promise<Prisma.EnclaveMemberGetPayload<object>[]>;
  contributions: () => Promise<Prisma.EnclaveContributionGetPayload<object>[]>;
  auditEntries: (args?: { afterSeq?: number; take?: number }) => Promise<Prisma.EnclaveAuditEntryGetPayload<object>[]>;
}

/** Enclaves an organization hosts or actively belongs to (removed memberships do not count). */
export function enclavesVisibleTo(client: Client, organizationId: string) {
  return client.enclave.findMany({
    where: { OR: [{ organizationId }, { members: { some: { memberOrganizationId: organizationId, removedAt: null } } }] },
    orderBy: { createdAt: "desc" },
  });
}

/**
 * The enclave as `organizationId` may see it, or null when it is neither the host nor an active member
 * (callers answer 404: an enclave one does not belong to does not exist for them).
 */
export async function enclaveAccess(client: Client, organizationId: string, enclaveId: string): Promise<EnclaveView | null> {
  if (!organizationId || !enclaveId) return null;
  const enclave = await client.enclave.findUnique({ where: { id: enclaveId } });
  if (!enclave) return null;
  let role: EnclaveStanding;
  if (enclave.organizationId === organizationId) {
    role = "HOST";
  } else {
    const member = await client.enclaveMember.findFirst({ where: { enclaveId, memberOrganizationId: organizationId, removedAt: null } });
    if (!member) return null;
    role = member.role;
  }
  const pinned = { enclaveId, organizationId: enclave.organizationId };
  return {
    enclave,
    role,
    organizationId,
    members: ({ includeRemoved = false } = {}) =>
      client.enclaveMember.findMany({ where: { ...pinned, ...(includeRemoved ? {} : { removedAt: null }) }, orderBy: { joinedAt: "asc" } }),
    contributions: () => client.enclaveContribution.findMany({ where: pinned, orderBy: { createdAt: "asc" } }),
    auditEntries: ({ afterSeq = 0, take } = {}) =>
      client.enclaveAuditEntry.findMany({ where: { ...pinned, seq: { gt: afterSeq } }, orderBy: { seq: "asc" }, ...(take ? { take } : {}) }),
  };
}

import type { TenantDb } from "./tenant.ts";
import type { Prisma } from "./generated/prisma/client.ts";

export interface AuditEntry {
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  ip?: string | null;
  details?: Prisma.InputJsonValue;
}

/** Records a state-changing action; call it inside the same transaction as the change. */
export function recordAudit(tenant: TenantDb, entry: AuditEntry) {
  return tenant.auditEvents.create({
    data: {
      organizationId: tenant.organizationId,
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      ip: entry.ip ?? null,
      details: entry.details,
    },
  });
}

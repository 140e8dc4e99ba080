export { createDb, db, type Db } from "./client.ts";
export { forTenant, CrossTenantWriteError, type TenantDb } from "./tenant.ts";
export { recordAudit, type AuditEntry } from "./audit.ts";
export { Prisma, Role, JobStatus } from "./generated/prisma/client.ts";
export type { User, Organization, Membership, Invitation, AuditEvent, Notification, JobRun } from "./generated/prisma/client.ts";

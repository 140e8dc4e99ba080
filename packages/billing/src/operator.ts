// The platform operator: a user (not a tenant role) who edits billing plans and issues credits. Seeded at start
// from OPERATOR_EMAIL / OPERATOR_PASSWORD, so a fresh install has one without a manual step.
import { hashPassword, verifyPassword, type Db } from "@crossdock/db";

export const DEFAULT_OPERATOR_EMAIL = "operator@crossdock.local";

/** Creates the operator account, or makes an existing user with that email the operator with that password. */
export async function ensureOperator(db: Db, email: string, password: string) {
  const normalized = email.trim().toLowerCase();
  const existing = await db.user.findUnique({ where: { email: normalized }, omit: { passwordHash: false } });
  if (!existing) {
    return db.user.create({ data: { email: normalized, name: "Platform operator", passwordHash: await hashPassword(password), isOperator: true } });
  }
  const samePassword = await verifyPassword(existing.passwordHash, password);
  return db.user.update({
    where: { id: existing.id },
    data: { isOperator: true, ...(samePassword ? {} : { passwordHash: await hashPassword(password) }) },
  });
}

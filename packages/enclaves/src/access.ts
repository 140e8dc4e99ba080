// Finding an enclave as the acting organization sees it, and the checks every operation repeats.
import { appendEnclaveAudit, enclaveAccess, type Enclave, type EnclaveView, type Prisma } from "@crossdock/db";
import { enclaveAllows, type EnclaveAction } from "@crossdock/policy";
import type { EnclaveActor, EnclaveDeps } from "./deps.ts";
import { refuse } from "./errors.ts";

export const NOT_FOUND = "No enclave with that id that your organization belongs to.";

/** The enclave as the actor's organization may see it; a stranger (or a removed member) gets NotFound. */
export async function viewFor(deps: Pick<EnclaveDeps, "db">, actor: Pick<EnclaveActor, "organizationId">, enclaveId: string): Promise<EnclaveView> {
  const view = await enclaveAccess(deps.db, actor.organizationId, enclaveId);
  if (!view) refuse("NotFound", NOT_FOUND);
  return view;
}

export function requireHost(view: EnclaveView, what: string) {
  if (view.role !== "HOST") refuse("Forbidden", `Only the host organization can ${what}.`);
}

export function requireRight(view: EnclaveView, action: EnclaveAction) {
  const decision = enclaveAllows(view.role, action);
  if (!decision.allowed) refuse("Forbidden", decision.reason);
}

/** The instant access ends: the end time, whether or not teardown has run yet. */
export function hasEnded(enclave: Pick<Enclave, "state" | "endsAt">, now: Date) {
  return enclave.state !== "ACTIVE" || enclave.endsAt <= now;
}

export function assertNotEnded(enclave: Enclave, now: Date, what: string) {
  if (hasEnded(enclave, now)) refuse("Ended", `The enclave "${enclave.name}" ended at ${enclave.endsAt.toISOString()}: ${what} is no longer possible.`);
}

/** Reading data needs the window open: after the start, before the end. */
export function assertWithinWindow(enclave: Enclave, now: Date, what: string) {
  assertNotEnded(enclave, now, what);
  if (now < enclave.startsAt) refuse("Forbidden", `The enclave "${enclave.name}" opens at ${enclave.startsAt.toISOString()}: ${what} is not possible before then.`);
}

/** One entry on the enclave's chain, inside the caller's transaction; actor null is the platform itself. */
export function record(tx: Prisma.TransactionClient, enclaveId: string, at: Date, actor: Pick<EnclaveActor, "userId" | "organizationId" | "ip"> | null, action: string, details: Record<string, unknown> = {}) {
  return appendEnclaveAudit(tx, enclaveId, at, {
    actorUserId: actor?.userId ?? null,
    actorOrganizationId: actor?.organizationId ?? null,
    action,
    details: { ...details, ...(actor?.ip ? { ip: actor.ip } : {}) },
  });
}

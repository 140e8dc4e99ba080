// Expiry: at the end time the enclave's access is revoked, its data deleted, the deletion verified by listing
// the prefix again, the result recorded, and every member organization notified. A scheduled sweep finds
// every enclave past its end that is not torn down yet, so a worker that was down at the end catches up.
import { forTenant, recordAudit, type Db } from "@crossdock/db";
import { isObjectStoreError } from "@crossdock/providers";
import { record } from "./access.ts";
import { deletePrefix } from "./contributions.ts";
import type { EnclaveDeps } from "./deps.ts";

/** Enclaves past their end (or closed) whose data has not been torn down yet. */
export async function enclavesDueForTeardown(db: Db, now: Date) {
  const rows = await db.enclave.findMany({ where: { state: { not: "TORN_DOWN" }, OR: [{ endsAt: { lte: now } }, { state: "ENDED" }] }, select: { id: true }, orderBy: { endsAt: "asc" } });
  return rows.map((r) => r.id);
}

export type TeardownOutcome =
  | { status: "not-due"; endsAt: string }
  | { status: "already-torn-down"; tornDownAt: string }
  | { status: "torn-down"; deletedObjects: number; notified: number };

export class TeardownIncompleteError extends Error {
  constructor(remaining: number, prefix: string) {
    super(`Teardown is not complete: ${remaining} object(s) are still listed under ${prefix}; it will be retried.`);
    this.name = "TeardownIncompleteError";
  }
}

/** Idempotent: each step checks what the previous attempt did. Throws (to be retried) while objects remain. */
export async function teardownEnclave(deps: Pick<EnclaveDeps, "db" | "clock" | "openStore">, enclaveId: string): Promise<TeardownOutcome> {
  const { db } = deps;
  const enclave = await db.enclave.findUniqueOrThrow({ where: { id: enclaveId }, include: { placementAccount: true } });
  if (enclave.state === "TORN_DOWN") return { status: "already-torn-down", tornDownAt: enclave.tornDownAt!.toISOString() };
  const now = deps.clock.now();
  if (enclave.state === "ACTIVE" && enclave.endsAt > now) return { status: "not-due", endsAt: enclave.endsAt.toISOString() };

  // 1. Revoke: the enclave is ENDED (the app already refuses access from endsAt on; this makes it explicit), open invitations die.
  await db.$transaction(async (tx) => {
    const ended = await tx.enclave.updateMany({ where: { id: enclaveId, state: "ACTIVE" }, data: { state: "ENDED" } });
    await tx.enclaveInvitation.updateMany({ where: { enclaveId, acceptedAt: null, revokedAt: null }, data: { revokedAt: now } });
    if (ended.count === 1) await record(tx, enclaveId, now, null, "enclave.expired", { endsAt: enclave.endsAt.toISOString(), lateBySeconds: Math.max(0, Math.round((now.getTime() - enclave.endsAt.getTime()) / 1000)) });
  });

  // 2. Delete everything under the enclave's prefix, then 3. verify by listing it again.
  const store = deps.openStore(enclave.placementAccount);
  let deletedObjects: number;
  try {
    deletedObjects = await deletePrefix(store, enclave.placementBucket, enclave.placementPrefix);
    let remaining = 0;
    try {
      for await (const page of store.listObjects(enclave.placementBucket, { prefix: enclave.placementPrefix })) remaining += page.objects.length;
    } catch (error) {
      // A bucket that no longer exists holds nothing of the enclave's.
      if (!(isObjectStoreError(error) && error.kind === "BucketNotFound")) throw error;
    }
    if (remaining > 0) throw new TeardownIncompleteError(remaining, enclave.placementPrefix);
  } finally {
    await store.close();
  }

  // 4. Record, and 5. notify the host and every current member organization.
  const verifiedAt = deps.clock.now();
  return db.$transaction(async (tx) => {
    const done = await tx.enclave.updateMany({
      where: { id: enclaveId, state: "ENDED" },
      data: { state: "TORN_DOWN", tornDownAt: verifiedAt, teardownReport: { deletedObjects, verifiedEmptyAt: verifiedAt.toISOString(), bucket: enclave.placementBucket, prefix: enclave.placementPrefix } },
    });
    if (done.count !== 1) {
      const again = await tx.enclave.findUniqueOrThrow({ where: { id: enclaveId } });
      return { status: "already-torn-down" as const, tornDownAt: (again.tornDownAt ?? verifiedAt).toISOString() };
    }
    await tx.enclaveContribution.updateMany({ where: { enclaveId, state: "READY" }, data: { state: "DELETED" } });
    await tx.enclaveContribution.updateMany({ where: { enclaveId, state: { in: ["QUEUED", "MATERIALIZING"] } }, data: { state: "FAILED", error: "The enclave ended before this contribution was materialized." } });
    await record(tx, enclaveId, verifiedAt, null, "enclave.torn_down", { deletedObjects, verifiedEmpty: true, bucket: enclave.placementBucket, prefix: enclave.placementPrefix });
    const members = await tx.enclaveMember.findMany({ where: { enclaveId, removedAt: null }, select: { memberOrganizationId: true } });
    const orgs = [enclave.organizationId, ...members.map((m) => m.memberOrganizationId)];
    for (const organizationId of orgs) {
      // One per organization and enclave: a retried teardown finds it instead of adding another.
      await forTenant(tx, organizationId).notifications.upsert({
        where: { id: `enclave-${enclaveId}-${organizationId}-torn-down` },
        create: {
          id: `enclave-${enclaveId}-${organizationId}-torn-down`, organizationId, userId: null,
          title: `Enclave "${enclave.name}" has ended`,
          body: `Its data was deleted (${deletedObjects} object${deletedObjects === 1 ? "" : "s"}) and the deletion verified on ${verifiedAt.toISOString()}. The audit log stays readable.`,
        },
        update: {},
      });
    }
    await recordAudit(forTenant(tx, enclave.organizationId), { actorId: null, action: "enclave.torn_down", targetType: "Enclave", targetId: enclaveId, details: { deletedObjects } });
    return { status: "torn-down" as const, deletedObjects, notified: orgs.length };
  });
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEnclaveAudit, createDb, enclaveAccess, enclavesVisibleTo, forTenant, verifyEnclaveChain } from "../src/index.ts";

const db = createDb(process.env.DATABASE_URL!);
let host: string;
let member: string;
let stranger: string;
let enclaveId: string;
let otherEnclaveId: string;

async function enclave(org: string, name: string) {
  const account = await forTenant(db, org).storageAccounts.create({ data: { id: crypto.randomUUID(), organizationId: org, name: `disk ${name}`, provider: "local", settings: {} } });
  return (
    await forTenant(db, org).enclaves.create({
      data: { organizationId: org, name, purpose: "test", startsAt: new Date(), endsAt: new Date(Date.now() + 3_600_000), placementAccountId: account.id, placementBucket: "b", placementPrefix: `e-${name}/` },
    })
  ).id;
}

beforeAll(async () => {
  const ids = await Promise.all(["Host", "Member", "Stranger"].map(async (name) => (await db.organization.create({ data: { name } })).id));
  [host, member, stranger] = ids as [string, string, string];
  enclaveId = await enclave(host, "shared");
  otherEnclaveId = await enclave(host, "private");
  await forTenant(db, host).enclaveMembers.create({ data: { organizationId: host, enclaveId, memberOrganizationId: member, role: "ANALYST" } });
});

afterAll(() => db.$disconnect());

describe("enclave access", () => {
  it("shows a member the enclaves it belongs to, and none of the host's others", async () => {
    expect((await enclavesVisibleTo(db, member)).map((e) => e.id)).toEqual([enclaveId]);
    expect((await enclavesVisibleTo(db, host)).length).toBe(2);
    expect(await enclavesVisibleTo(db, stranger)).toEqual([]);
    expect((await enclaveAccess(db, member, enclaveId))?.role).toBe("ANALYST");
    expect((await enclaveAccess(db, host, enclaveId))?.role).toBe("HOST");
    expect(await enclaveAccess(db, member, otherEnclaveId)).toBeNull();
    expect(await enclaveAccess(db, stranger, enclaveId)).toBeNull();
    // The member's tenant view holds none of the host's rows.
    expect(await forTenant(db, member).enclaves.count()).toBe(0);
    expect(await forTenant(db, member).storageAccounts.count()).toBe(0);
  });

  it("drops a removed member at once", async () => {
    const row = await db.enclaveMember.findFirstOrThrow({ where: { enclaveId, memberOrganizationId: member } });
    await db.enclaveMember.update({ where: { id: row.id }, data: { removedAt: new Date() } });
    expect(await enclaveAccess(db, member, enclaveId)).toBeNull();
    expect(await enclavesVisibleTo(db, member)).toEqual([]);
    await db.enclaveMember.update({ where: { id: row.id }, data: { removedAt: null } });
  });
});

describe("enclave audit chain", () => {
  it("links entries, verifies, and refuses UPDATE and DELETE in the database", async () => {
    for (const action of ["a", "b", "c"]) {
      await db.$transaction((tx) => appendEnclaveAudit(tx, enclaveId, new Date(), { actorUserId: null, actorOrganizationId: host, action, details: { z: 1, a: [2, { y: 3, b: 4 }] } }));
    }
    expect(await verifyEnclaveChain(db, enclaveId)).toMatchObject({ ok: true, entries: 3 });
    await expect(db.enclaveAuditEntry.updateMany({ where: { enclaveId }, data: { action: "x" } })).rejects.toThrow(/append-only/);
    await expect(db.enclaveAuditEntry.deleteMany({ where: { enclaveId } })).rejects.toThrow(/append-only/);
  });

  it("catches an entry altered behind the trigger's back", async () => {
    await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`ALTER TABLE "EnclaveAuditEntry" DISABLE TRIGGER "EnclaveAuditEntry_append_only"`);
      await tx.$executeRaw`UPDATE "EnclaveAuditEntry" SET details = '{"z": 2}' WHERE "enclaveId" = ${enclaveId} AND seq = 2`;
      await tx.$executeRawUnsafe(`ALTER TABLE "EnclaveAuditEntry" ENABLE TRIGGER "EnclaveAuditEntry_append_only"`);
    });
    expect(await verifyEnclaveChain(db, enclaveId)).toMatchObject({ ok: false, brokenAt: 2, reason: expect.stringContaining("altered") });
  });
});

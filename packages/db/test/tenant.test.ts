import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, CrossTenantWriteError, forTenant } from "../src/index.ts";

const db = createDb(process.env.DATABASE_URL!);
let a: string;
let b: string;
let bRunId: string;

beforeAll(async () => {
  a = (await db.organization.create({ data: { name: "A" } })).id;
  b = (await db.organization.create({ data: { name: "B" } })).id;
  bRunId = (await forTenant(db, b).jobRuns.create({ data: { organizationId: b, kind: "maintenance.sweep" } })).id;
});

afterAll(() => db.$disconnect());

describe("forTenant", () => {
  it("scopes reads: another tenant's id finds nothing", async () => {
    const tenantA = forTenant(db, a);
    expect(await tenantA.jobRuns.findUnique({ where: { id: bRunId } })).toBeNull();
    expect(await tenantA.jobRuns.findFirst({ where: { id: bRunId } })).toBeNull();
    expect(await tenantA.jobRuns.findMany({ where: { OR: [{ id: bRunId }, { organizationId: b }] } })).toEqual([]);
    expect(await tenantA.jobRuns.count()).toBe(0);
    expect(await forTenant(db, b).jobRuns.count()).toBe(1);
  });

  it("scopes writes: updates and deletes of another tenant's rows touch nothing", async () => {
    const tenantA = forTenant(db, a);
    await expect(tenantA.jobRuns.update({ where: { id: bRunId }, data: { status: "FAILED" } })).rejects.toThrow();
    await expect(tenantA.jobRuns.delete({ where: { id: bRunId } })).rejects.toThrow();
    expect((await tenantA.jobRuns.updateMany({ where: { id: bRunId }, data: { status: "FAILED" } })).count).toBe(0);
    expect((await tenantA.jobRuns.deleteMany({ where: { id: bRunId } })).count).toBe(0);
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: bRunId } })).toMatchObject({ status: "QUEUED" });
  });

  it("refuses to create rows for, or move rows to, another tenant", async () => {
    const tenantA = forTenant(db, a);
    expect(() => tenantA.jobRuns.create({ data: { organizationId: b, kind: "x" } })).toThrow(CrossTenantWriteError);
    expect(() => tenantA.jobRuns.updateMany({ where: {}, data: { organizationId: b } as never })).toThrow(CrossTenantWriteError);
    expect(() => tenantA.jobRuns.create({ data: { organization: { connect: { id: b } }, kind: "x" } as never })).toThrow(CrossTenantWriteError);
    expect(await forTenant(db, b).jobRuns.count()).toBe(1);
  });

  it("works inside interactive transactions and rolls back with them", async () => {
    await expect(
      db.$transaction(async (tx) => {
        await forTenant(tx, a).jobRuns.create({ data: { organizationId: a, kind: "in-tx" } });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await forTenant(db, a).jobRuns.count({ where: { kind: "in-tx" } })).toBe(0);
  });
});

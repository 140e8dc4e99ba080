import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { db } from "@crossdock/db";
import { hashToken } from "@crossdock/billing";
import { GET as usageApi } from "~/app/api/v1/usage/route";
import { callerFor, signUp } from "./harness";

// The usage API (Bearer API tokens), token life cycle, and the operator's plan and credit procedures.
let a: Awaited<ReturnType<typeof signUp>>;
let b: Awaited<ReturnType<typeof signUp>>;
let operatorId: string;

async function ledger(organizationId: string, bytes: bigint, key: string) {
  const account = await db().storageAccount.create({ data: { id: crypto.randomUUID(), organizationId, name: `acct ${key}`, provider: "local", settings: {} } });
  const migration = await db().migration.create({ data: { organizationId, name: `Move ${key}`, sourceAccountId: account.id, sourceBucket: "s", destAccountId: account.id, destBucket: "d", options: {} } });
  await db().usageRecord.create({ data: { organizationId, migrationId: migration.id, kind: "copy", objectKey: key, objectVersion: "1", bytes, sourceProvider: "s3", destProvider: "azure" } });
  return migration.id;
}

const call = (token: string | null) => usageApi(new Request("http://localhost/api/v1/usage", { headers: token ? { authorization: `Bearer ${token}` } : {} }));

beforeAll(async () => {
  a = await signUp("ann", "Usage A");
  b = await signUp("ben", "Usage B");
  await ledger(a.organizationId, 3_000_000_000n, "a-key");
  await ledger(b.organizationId, 5_000_000_000n, "b-key");
  operatorId = (await db().user.create({ data: { email: `operator-${Date.now()}@test.example`, name: "Operator", passwordHash: "x", isOperator: true } })).id;
});
afterAll(() => db().$disconnect());

describe("usage API", () => {
  it("answers with the token's organization only, and refuses revoked, unknown and missing tokens", async () => {
    const created = await a.as().billing.createToken({ name: "finance" });
    expect(created.token).toMatch(/^cdx_/);
    const stored = await db().apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.tokenHash).toBe(hashToken(created.token));
    expect(JSON.stringify(stored)).not.toContain(created.token);
    expect((await a.as().billing.tokens()).find((t) => t.id === created.id)).not.toHaveProperty("token");

    const ok = await call(created.token);
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body.organization).toEqual({ id: a.organizationId, name: "Usage A" });
    expect(body.totals.movedBytes).toBe(3_000_000_000);
    expect(body.migrations.map((m: { name: string }) => m.name)).toEqual(["Move a-key"]);
    expect(body.currentInvoice.usageBytes).toBe(3_000_000_000);
    expect(JSON.stringify(body)).not.toContain("b-key");

    expect((await call(null)).status).toBe(401);
    expect((await call("cdx_not-a-real-token")).status).toBe(401);
    expect(await codeOf(b.as().billing.revokeToken({ id: created.id }))).toBe("NOT_FOUND");
    expect((await call(created.token)).status).toBe(200);
    await a.as().billing.revokeToken({ id: created.id });
    const revoked = await call(created.token);
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error).toMatch(/revoked/);
    expect(await codeOf(a.as().billing.revokeToken({ id: created.id }))).toBe("NOT_FOUND");
  });

  it("refuses a bad date range with the reason", async () => {
    const { token } = await a.as().billing.createToken({ name: "range" });
    const bad = await usageApi(new Request("http://localhost/api/v1/usage?from=2026-02-30", { headers: { authorization: `Bearer ${token}` } }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/not a day/);
  });

  it("lets only admins manage tokens", async () => {
    const viewer = await db().membership.update({ where: { organizationId_userId: { organizationId: a.organizationId, userId: a.userId } }, data: { role: "VIEWER" } });
    try {
      expect(await codeOf(a.as().billing.createToken({ name: "x" }))).toBe("FORBIDDEN");
    } finally {
      await db().membership.update({ where: { id: viewer.id }, data: { role: "OWNER" } });
    }
  });
});

describe("operator", () => {
  it("edits an organization's plan and issues a credit that lands on this month's invoice", async () => {
    const op = callerFor(operatorId);
    expect((await op.operator.organizations()).map((o) => o.id)).toEqual(expect.arrayContaining([a.organizationId, b.organizationId]));
    await op.operator.setPlan({ organizationId: b.organizationId, includedGB: 1, pricePerGB: 0.5 });
    expect(await b.as().billing.plan()).toEqual({ includedGB: 1, priceMicrosPerGB: 500_000, custom: true });
    // 5 GB moved, 1 included: 4 GB x $0.50 = $2.00
    expect((await b.as().billing.invoice({})).totalCents).toBe(200);
    await op.operator.issueCredit({ organizationId: b.organizationId, amountCents: 25, reason: "Goodwill" });
    const invoice = await b.as().billing.invoice({});
    expect(invoice.lines.at(-1)).toMatchObject({ kind: "CREDIT", amountCents: -25, description: "Credit: Goodwill" });
    expect(invoice.totalCents).toBe(175);
    expect(await codeOf(op.operator.setPlan({ organizationId: "nope", includedGB: 1, pricePerGB: 1 }))).toBe("NOT_FOUND");
    expect(await codeOf(op.operator.setPlan({ organizationId: b.organizationId, includedGB: 1, pricePerGB: 0.0000001 }))).toBe("BAD_REQUEST");
    const audit = await db().auditEvent.findMany({ where: { organizationId: b.organizationId, action: { startsWith: "billing." } } });
    expect(audit.map((e) => e.action).sort()).toEqual(["billing.credit_issued", "billing.plan_changed"]);
  });
});

function codeOf(promise: Promise<unknown>) {
  return promise.then(
    () => "OK",
    (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
  );
}

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@crossdock/db";
import {
  BYTES_PER_GB, chargeCents, computeInvoice, finalizeClosedMonths, finalizeInvoice, invoiceFor, issueCredit, parseMonth, setPlan, InvoiceError,
} from "../src/index.ts";

const GB = BYTES_PER_GB;
const nov = parseMonth("2026-11");
const plan = { includedGB: 100, priceMicrosPerGB: 20_000 }; // 100 GB included, then $0.02/GB
const usage = (name: string, bytes: bigint) => ({ migrationId: name, name, bytes, objects: 1n });
const sum = (lines: { amountCents: bigint }[]) => lines.reduce((n, l) => n + l.amountCents, 0n);

describe("invoice arithmetic", () => {
  it("bills nothing at exactly the allowance", () => {
    const inv = computeInvoice(nov, plan, [usage("a", 60n * GB), usage("b", 40n * GB)], []);
    expect(inv.usageBytes).toBe(100n * GB);
    expect(inv.billableBytes).toBe(0n);
    expect(inv.totalCents).toBe(0n);
    expect(inv.lines.map((l) => l.kind)).toEqual(["USAGE", "USAGE", "ALLOWANCE"]);
    expect(inv.lines[0]).toMatchObject({ migrationId: "a", amountCents: 120n });
    expect(inv.lines[2]).toMatchObject({ bytes: 100n * GB, amountCents: -200n });
    expect(sum(inv.lines)).toBe(inv.totalCents);
  });

  it("bills one byte over the allowance as one billable byte, rounded half up to the cent", () => {
    const inv = computeInvoice(nov, plan, [usage("a", 100n * GB + 1n)], []);
    expect(inv.billableBytes).toBe(1n);
    expect(inv.totalCents).toBe(0n); // 1 byte at $0.02/GB is 2e-9 cents: rounds down
    // At $10,000/GB one byte is 0.001 cent (down), 500,000 bytes exactly half a cent (up), 499,999 bytes just under (down).
    const dear = { includedGB: 0, priceMicrosPerGB: 10_000 * 1_000_000 };
    expect(chargeCents(1n, dear.priceMicrosPerGB)).toBe(0n);
    expect(computeInvoice(nov, { includedGB: 0, priceMicrosPerGB: 10_000 }, [usage("a", 500_000_000n)], []).totalCents).toBe(1n); // 0.5 cent -> 1
    expect(computeInvoice(nov, { includedGB: 0, priceMicrosPerGB: 10_000 }, [usage("a", 499_999_999n)], []).totalCents).toBe(0n); // 0.4999999 -> 0
    expect(computeInvoice(nov, { includedGB: 1, priceMicrosPerGB: 10_000 }, [usage("a", GB + 500_000_000n)], []).totalCents).toBe(1n);
  });

  it("prices the bytes beyond the allowance once, and the lines always add up to the total", () => {
    // Three migrations of 1/3 cent each: per-line rounding would say 0 cents, the total says 1 cent.
    const third = 166_666_667n; // x $0.02/GB = 0.333 cent
    const inv = computeInvoice(nov, { includedGB: 0, priceMicrosPerGB: 20_000 }, [usage("a", third), usage("b", third), usage("c", third)], []);
    expect(inv.lines.filter((l) => l.kind === "USAGE").map((l) => l.amountCents)).toEqual([0n, 0n, 0n]);
    expect(inv.totalCents).toBe(1n);
    expect(sum(inv.lines)).toBe(1n);
    const big = computeInvoice(nov, plan, [usage("a", 250n * GB)], []);
    expect(big.totalCents).toBe(300n); // 150 GB x $0.02
    expect(big.lines.find((l) => l.kind === "ALLOWANCE")!.amountCents).toBe(-200n);
  });

  it("takes a credit line off the total", () => {
    const inv = computeInvoice(nov, plan, [usage("a", 250n * GB)], [{ id: "c1", reason: "Retry storm on Nov 3", amountCents: 125n }]);
    expect(inv.lines.at(-1)).toMatchObject({ kind: "CREDIT", amountCents: -125n, description: "Credit: Retry storm on Nov 3" });
    expect(inv.totalCents).toBe(175n);
    expect(sum(inv.lines)).toBe(175n);
  });
});

describe("invoices from the ledger", () => {
  const db = createDb(process.env.DATABASE_URL!);
  let org: string;
  let operator: string;
  let migrationId: string;

  async function ledger(bytes: bigint, occurredAt: Date, key = randomUUID()) {
    await db.usageRecord.create({
      data: { organizationId: org, migrationId, kind: "copy", objectKey: key, objectVersion: "v1", bytes, sourceProvider: "s3", destProvider: "azure", occurredAt },
    });
  }

  beforeAll(async () => {
    org = (await db.organization.create({ data: { name: "Billing test" } })).id;
    operator = (await db.user.create({ data: { email: `op-${randomUUID()}@test.example`, name: "Op", passwordHash: "x", isOperator: true } })).id;
    const account = await db.storageAccount.create({ data: { id: randomUUID(), organizationId: org, name: "disk", provider: "local", settings: {} } });
    migrationId = (await db.migration.create({ data: { organizationId: org, name: "Study to Azure", sourceAccountId: account.id, sourceBucket: "a", destAccountId: account.id, destBucket: "b", options: {} } })).id;
    await setPlan(db, org, { includedGB: 1, priceMicrosPerGB: 50_000 }, { userId: operator }); // 1 GB included, $0.05/GB
  });
  afterAll(() => db.$disconnect());

  it("splits months at midnight UTC, finalizes a closed month once, and refuses to change it afterwards", async () => {
    // Last millisecond of October (UTC) and first of November.
    await ledger(GB, new Date("2026-10-31T23:59:59.999Z"));
    await ledger(GB + 1n, new Date("2026-11-01T00:00:00.000Z"));
    await ledger(2n * GB, new Date("2026-11-30T23:59:59.999Z"));
    await ledger(7n, new Date("2026-12-01T00:00:00.000Z"));

    const oct = await invoiceFor(db, org, parseMonth("2026-10"), new Date("2026-11-15T00:00:00Z"));
    expect(oct).toMatchObject({ usageBytes: GB, billableBytes: 0n, totalCents: 0n, status: "OPEN", closed: true });
    const novLive = await invoiceFor(db, org, nov, new Date("2026-11-15T00:00:00Z"));
    expect(novLive).toMatchObject({ usageBytes: 3n * GB + 1n, billableBytes: 2n * GB + 1n, totalCents: 10n, status: "OPEN", closed: false });
    expect(novLive.lines[0]).toMatchObject({ kind: "USAGE", migrationId, bytes: 3n * GB + 1n, amountCents: 15n });
    expect(novLive.lines[0]!.description).toContain("Study to Azure");

    await expect(finalizeInvoice(db, org, nov, new Date("2026-11-30T23:59:59.999Z"))).rejects.toThrow(InvoiceError);
    const closeTime = new Date("2026-12-01T01:00:00Z");
    const finalized = await finalizeClosedMonths(db, closeTime);
    expect(finalized.filter((f) => f.organizationId === org).map((f) => [f.month, f.totalCents])).toEqual([["2026-10", 0], ["2026-11", 10]]);
    // Idempotent: a second run finds nothing more to do, a direct call returns the stored invoice.
    expect((await finalizeClosedMonths(db, closeTime)).filter((f) => f.organizationId === org)).toEqual([]);
    const again = await finalizeInvoice(db, org, nov, closeTime);
    expect(again.id).toBe(finalized[1]!.invoiceId);

    // A plan change after the close does not touch the closed invoice.
    await setPlan(db, org, { includedGB: 0, priceMicrosPerGB: 1_000_000 }, { userId: operator });
    const stored = await invoiceFor(db, org, nov, closeTime);
    expect(stored).toMatchObject({ status: "FINALIZED", totalCents: 10n, priceMicrosPerGB: 50_000, includedGB: 1 });

    // The database refuses to change a finalized invoice or its lines.
    await expect(db.invoice.update({ where: { id: again.id }, data: { totalCents: 0n } })).rejects.toThrow(/finalized/);
    await expect(db.invoiceLine.updateMany({ where: { invoiceId: again.id }, data: { amountCents: 0n } })).rejects.toThrow(/finalized/);
    await expect(db.invoiceLine.deleteMany({ where: { invoiceId: again.id } })).rejects.toThrow(/finalized/);
    await expect(db.invoiceLine.create({ data: { invoiceId: again.id, organizationId: org, position: 99, kind: "CREDIT", description: "sneaky", bytes: 0n, amountCents: -10n } })).rejects.toThrow(/finalized/);
    await expect(db.usageRecord.updateMany({ where: { organizationId: org }, data: { bytes: 0n } })).rejects.toThrow(/append-only/);

    // A correction is a credit line on the invoice of the month it is issued in.
    await issueCredit(db, org, { amountCents: 4, reason: "November overcharge", correctsMonth: nov }, { userId: operator }, new Date("2026-12-02T10:00:00Z"));
    const dec = await invoiceFor(db, org, parseMonth("2026-12"), new Date("2026-12-02T10:00:00Z"));
    // 7 bytes at the new $1/GB round to 0 cents; the credit makes December a 4-cent credit balance.
    expect(dec.lines.map((l) => [l.kind, l.bytes, l.amountCents])).toEqual([["USAGE", 7n, 0n], ["ALLOWANCE", 0n, 0n], ["CREDIT", 0n, -4n]]);
    expect(dec.totalCents).toBe(-4n);
    // The closed November invoice is unchanged.
    expect((await invoiceFor(db, org, nov, new Date("2026-12-02T10:00:00Z"))).totalCents).toBe(10n);
  });
});

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@crossdock/db";
import { analyticsFor, analyticsTables, parseDay, toCsv } from "../src/index.ts";

// The analytics page's numbers from a known ledger and inventory: per day, per provider, per route, with egress.
const db = createDb(process.env.DATABASE_URL!);
const GiB = 1024 ** 3;
let org: string;
let migrationId: string;
const prices = { s3: 0.09, azure: 0.087, gcs: 0.12, local: 0 };

async function ledger(bytes: number, at: string, route: [string, string, string, string]) {
  const [sourceProvider, sourceRegion, destProvider, destRegion] = route;
  await db.usageRecord.create({ data: { organizationId: org, migrationId, kind: "copy", objectKey: randomUUID(), objectVersion: "v", bytes: BigInt(bytes), sourceProvider, sourceRegion, destProvider, destRegion, occurredAt: new Date(at) } });
}

beforeAll(async () => {
  org = (await db.organization.create({ data: { name: "Analytics test" } })).id;
  const s3 = await db.storageAccount.create({ data: { id: randomUUID(), organizationId: org, name: "AWS", provider: "s3", settings: {} } });
  const azure = await db.storageAccount.create({ data: { id: randomUUID(), organizationId: org, name: "Azure", provider: "azure", settings: {} } });
  migrationId = (await db.migration.create({ data: { organizationId: org, name: "Move", sourceAccountId: s3.id, sourceBucket: "a", destAccountId: azure.id, destBucket: "b", options: {} } })).id;
  await ledger(GiB, "2026-11-02T10:00:00Z", ["s3", "us-east-1", "azure", "westeurope"]);
  await ledger(GiB, "2026-11-02T23:59:59.999Z", ["s3", "us-east-1", "azure", "westeurope"]);
  await ledger(2 * GiB, "2026-11-03T00:00:00Z", ["s3", "us-east-1", "s3", "us-east-1"]); // same provider and region: free
  await ledger(5 * GiB, "2026-10-31T12:00:00Z", ["s3", "us-east-1", "azure", "westeurope"]); // last month, outside the range
  const snap = (accountId: string, provider: "s3" | "azure", bucket: string, bytes: number, at: string) =>
    db.inventorySnapshot.create({ data: { organizationId: org, storageAccountId: accountId, bucket, provider, status: "COMPLETE", objects: 10n, bytes: BigInt(bytes), completedAt: new Date(at), largestPrefixes: [{ prefix: `${bucket}-top/`, objects: 5, bytes: bytes / 2 }] } });
  await snap(s3.id, "s3", "a", 1000, "2026-10-20T00:00:00Z"); // before the range: the chart starts from it
  await snap(azure.id, "azure", "b", 500, "2026-11-02T12:00:00Z");
  await snap(s3.id, "s3", "a", 3000, "2026-11-03T06:00:00Z");
});
afterAll(() => db.$disconnect());

describe("analyticsFor", () => {
  it("adds up the ledger by day, provider and route, and the inventory by cloud over time", async () => {
    const a = await analyticsFor(db, org, { from: parseDay("2026-11-01"), to: parseDay("2026-11-04") }, new Date("2026-11-04T12:00:00Z"), prices);
    expect(a.movedPerDay).toEqual([
      { day: "2026-11-01", s3: 0, azure: 0, gcs: 0, local: 0 },
      { day: "2026-11-02", s3: 2 * GiB, azure: 0, gcs: 0, local: 0 },
      { day: "2026-11-03", s3: 2 * GiB, azure: 0, gcs: 0, local: 0 },
      { day: "2026-11-04", s3: 0, azure: 0, gcs: 0, local: 0 },
    ]);
    expect(a.storedPerDay).toEqual([
      { day: "2026-11-01", s3: 1000 },
      { day: "2026-11-02", s3: 1000, azure: 500 },
      { day: "2026-11-03", s3: 3000, azure: 500 },
      { day: "2026-11-04", s3: 3000, azure: 500 },
    ]);
    const s3 = a.cards.find((c) => c.provider === "s3")!;
    const azure = a.cards.find((c) => c.provider === "azure")!;
    // November so far: 4 GiB left S3 (2 of them to S3 in the same region, free); 2 GiB reached Azure.
    expect(s3).toMatchObject({ storedBytes: 3000, buckets: 1, movedOutBytes: 4 * GiB, movedInBytes: 2 * GiB, egressUsd: 0.18 });
    expect(azure).toMatchObject({ storedBytes: 500, movedInBytes: 2 * GiB, movedOutBytes: 0, egressUsd: 0 });
    expect(a.routes.map((r) => [r.sourceProvider, r.destProvider, r.destRegion, r.bytes, r.egressUsd])).toEqual([
      ["s3", "azure", "westeurope", 2 * GiB, 0.18],
      ["s3", "s3", "us-east-1", 2 * GiB, 0],
    ]);
    expect(a.migrations).toEqual([{ migrationId, name: "Move", sourceProvider: "s3", destProvider: "azure", objects: 3, bytes: 4 * GiB, egressUsd: 0.18 }]);
    expect(a.topBuckets.map((b) => [b.account, b.bucket, b.bytes])).toEqual([["AWS", "a", 3000], ["Azure", "b", 500]]);
    expect(a.topPrefixes[0]).toMatchObject({ prefix: "a-top/", bytes: 1500 });
    expect(a.totals).toMatchObject({ movedBytes: 4 * GiB, movedObjects: 3, storedBytes: 3500 });

    const { columns, rows } = analyticsTables(a)["moved-per-day"];
    expect(toCsv(columns, rows).split("\r\n").slice(0, 3)).toEqual(["day,s3,azure,gcs,local", "2026-11-01,0,0,0,0", `2026-11-02,${2 * GiB},0,0,0`]);
  });

  it("refuses a range that ends before it starts or spans more than a year", async () => {
    await expect(analyticsFor(db, org, { from: parseDay("2026-11-05"), to: parseDay("2026-11-01") }, new Date(), prices)).rejects.toThrow(/ends before it starts/);
    await expect(analyticsFor(db, org, { from: parseDay("2024-01-01"), to: parseDay("2026-11-01") }, new Date(), prices)).rejects.toThrow(/At most 366 days/);
  });
});

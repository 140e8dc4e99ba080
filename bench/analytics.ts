// Analytics benchmark: 1,000,000 ledger rows for one organization (90 days, 20 migrations, 4 providers, seeded with
// generate_series in one statement, as the migration engine's inserts would leave them, rollup trigger included) and
// a realistic inventory history; then the analytics page's server queries timed over repeated runs (p50/p95), with
// the EXPLAIN (ANALYZE, BUFFERS) plans they use, and the ledger scan the rollup avoids, for comparison.
//
//   npm run bench:analytics -- [--rows=1000000] [--runs=50] [--keep]
// (starts project-local PostgreSQL when DATABASE_URL is unset; use CROSSDOCK_DATA_DIR / CROSSDOCK_PG_PORT of your own)
import { randomUUID } from "node:crypto";
import { Prisma } from "@crossdock/db";
import { analyticsFor, analyticsQueries, compactInventoryHistory, invoiceFor, monthStart } from "@crossdock/billing";
import os from "node:os";
import { createBenchDatabase, createTenant, dropBenchDatabase } from "./lib/setup.ts";

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const ROWS = Number(arg("rows", "1000000"));
const RUNS = Number(arg("runs", "50"));
const DAYS = 90;
const base = process.env.DATABASE_URL;
if (!base) throw new Error("DATABASE_URL is not set: run through `npm run bench:analytics` (scripts/with-services.mjs)");
const NAME = "crossdock_bench_analytics";

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function timed<T>(label: string, fn: () => Promise<T>) {
  const start = process.hrtime.bigint();
  const out = await fn();
  console.log(`${label}: ${(ms(start) / 1000).toFixed(1)} s`);
  return out;
}

console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (timings are noisy when other work shares the cores)`);
const url = await createBenchDatabase(base, NAME);
const t = await createTenant(url);
const { db, organizationId: org } = t;
try {
  // Another tenant with its own rows, so the queries have something to skip.
  const other = (await db.organization.create({ data: { name: "neighbour" } })).id;
  const providers = ["s3", "azure", "gcs", "local"] as const;
  const accounts: { id: string; provider: (typeof providers)[number] }[] = [];
  for (const provider of providers) {
    const id = randomUUID();
    await db.storageAccount.create({ data: { id, organizationId: org, name: `${provider} account`, provider, settings: { region: "eu-west-1" } } });
    accounts.push({ id, provider });
  }
  const migrations: string[] = [];
  for (let i = 0; i < 20; i++) {
    const src = accounts[i % 4]!;
    const dst = accounts[(i + 1) % 4]!;
    const m = await db.migration.create({ data: { organizationId: org, name: `Migration ${i}`, sourceAccountId: src.id, sourceBucket: "b0", destAccountId: dst.id, destBucket: "b1", options: {} } });
    migrations.push(m.id);
  }
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (DAYS - 1) * 86_400_000);

  await timed(`seeded ${ROWS.toLocaleString("en-US")} ledger rows (one INSERT ... generate_series, rollup trigger included)`, () =>
    db.$executeRaw`
      INSERT INTO "UsageRecord" ("id", "organizationId", "migrationId", "kind", "objectKey", "objectVersion", "bytes", "sourceProvider", "sourceRegion", "destProvider", "destRegion", "occurredAt")
      SELECT 'u' || g, ${org}, (${migrations}::text[])[1 + g % 20], 'copy', 'key/' || g, 'v1', 1000 + (g::bigint * 7919) % 5000000,
             (ARRAY['s3','azure','gcs','local'])[1 + (g % 20) % 4], 'eu-west-1', (ARRAY['s3','azure','gcs','local'])[1 + ((g % 20) + 1) % 4], 'eu-west-1',
             ${start}::timestamp + ((g::double precision / ${ROWS}) * ${DAYS} * interval '1 day')
      FROM generate_series(1, ${ROWS}) AS g`,
  );
  await db.$executeRaw`
    INSERT INTO "UsageRecord" ("id", "organizationId", "kind", "objectKey", "objectVersion", "bytes", "sourceProvider", "destProvider", "occurredAt")
    SELECT 'n' || g, ${other}, 'copy', 'k' || g, 'v1', 5000, 's3', 'gcs', ${start}::timestamp + (g % ${DAYS}) * interval '1 day' FROM generate_series(1, 100000) AS g`;
  // Inventory history: 4 accounts x 5 buckets, scanned every 6 hours for the 90 days.
  await timed("seeded inventory history", () =>
    db.$executeRaw`
      INSERT INTO "InventorySnapshot" ("id", "organizationId", "storageAccountId", "bucket", "provider", "status", "objects", "bytes", "largestPrefixes", "startedAt", "updatedAt", "completedAt")
      SELECT 's' || a.i || '-' || b || '-' || h, ${org}, (${accounts.map((a) => a.id)}::text[])[a.i], 'bucket-' || b,
             ((ARRAY['s3','azure','gcs','local'])[a.i])::"StorageProvider", 'COMPLETE', 10000 + h * 10, (10000 + h * 10)::bigint * 250000,
             jsonb_build_array(jsonb_build_object('prefix', 'data/', 'objects', 9000, 'bytes', 2000000000), jsonb_build_object('prefix', 'logs/', 'objects', 1000, 'bytes', 500000000)),
             ${start}::timestamp + h * interval '6 hours', now(), ${start}::timestamp + h * interval '6 hours' + interval '5 minutes'
      FROM generate_series(1, 4) AS a(i), generate_series(1, 5) AS b, generate_series(0, ${DAYS * 4 - 1}) AS h`,
  );
  // As the scheduled sweep would: all of the last two days, then one snapshot per bucket and day.
  const compacted = await compactInventoryHistory(db, now);
  console.log(`inventory history: ${4 * 5 * DAYS * 4} snapshots seeded, ${compacted.removed} compacted away, ${await db.inventorySnapshot.count({ where: { organizationId: org } })} kept`);
  await db.$executeRaw`ANALYZE`;

  const [ledger] = await db.$queryRaw<{ rows: bigint; bytes: bigint }[]>`SELECT count(*) AS rows, sum(bytes) AS bytes FROM "UsageRecord" WHERE "organizationId" = ${org}`;
  const [rolled] = await db.$queryRaw<{ rows: bigint; bytes: bigint; groups: bigint }[]>`SELECT sum(objects) AS rows, sum(bytes) AS bytes, count(*) AS groups FROM "UsageDaily" WHERE "organizationId" = ${org}`;
  // sum() comes back as numeric, count() as bigint: compare their decimal text.
  const same = String(rolled!.bytes) === String(ledger!.bytes) && String(rolled!.rows) === String(ledger!.rows);
  console.log(`ledger: ${ledger!.rows} rows, ${ledger!.bytes} bytes; rollup: ${rolled!.groups} rows covering ${rolled!.rows} objects, ${rolled!.bytes} bytes (${same ? "equal" : "MISMATCH"})`);
  if (!same) throw new Error("The rollup disagrees with the ledger");

  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const ranges = { "last 30 days": { from: new Date(to.getTime() - 29 * 86_400_000), to }, "last 90 days": { from: start, to } };

  for (const [label, range] of Object.entries(ranges)) {
    // What the page's query does on the server: analytics (4 queries + migration names) and the two counts.
    const overview = () =>
      Promise.all([
        analyticsFor(db, org, range, now),
        db.inventorySnapshot.count({ where: { organizationId: org, status: "SCANNING" } }),
        db.storageAccount.count({ where: { organizationId: org } }),
      ]);
    for (let i = 0; i < 3; i++) await overview();
    const times: number[] = [];
    let moved = 0;
    for (let i = 0; i < RUNS; i++) {
      const s = process.hrtime.bigint();
      const [a] = await overview();
      times.push(ms(s));
      moved = a.totals.movedBytes;
    }
    times.sort((x, y) => x - y);
    console.log(`analytics.overview (${label}, ${RUNS} runs): p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms  [${moved.toLocaleString("en-US")} bytes moved in range]`);
  }
  {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = process.hrtime.bigint();
      await invoiceFor(db, org, monthStart(now), now);
      times.push(ms(s));
    }
    times.sort((x, y) => x - y);
    console.log(`billing.invoice (current month, ${RUNS} runs): p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms`);
  }

  console.log("\nQuery plans (EXPLAIN (ANALYZE, BUFFERS)) for the last 30 days:");
  const queries = analyticsQueries(org, ranges["last 30 days"], now);
  for (const [name, sql] of Object.entries(queries)) {
    const plan = await db.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN (ANALYZE, BUFFERS) ${sql}`);
    console.log(`\n-- ${name}\n${plan.map((r) => r["QUERY PLAN"]).join("\n")}`);
  }
  const direct = Prisma.sql`SELECT ("occurredAt" AT TIME ZONE 'UTC')::date AS day, "sourceProvider", sum(bytes) FROM "UsageRecord"
    WHERE "organizationId" = ${org} AND "occurredAt" >= ${ranges["last 30 days"].from} GROUP BY 1, 2`;
  const plan = await db.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN (ANALYZE) ${direct}`);
  console.log(`\n-- for comparison: the same per-day totals straight from the ledger (what the rollup avoids)\n${plan.map((r) => r["QUERY PLAN"]).join("\n")}`);
} finally {
  await db.$disconnect();
  if (!process.argv.includes("--keep")) await dropBenchDatabase(base, NAME);
}

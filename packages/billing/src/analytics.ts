// What the analytics page shows, computed on the server from the ledger's daily rollup (UsageDaily) and the latest
// inventory snapshots: per-cloud cards, bytes moved per day by provider, stored bytes per cloud over time, top buckets
// and prefixes, movement per migration and per route. Every query is bounded by (organization, day range).
import { Prisma, type Db } from "@crossdock/db";
import type { EgressPriceTable } from "@crossdock/migration";
import { PROVIDERS, egressUsd, organizationEgressPrices, roundUsd, storageUsdPerMonth } from "./cost.ts";
import { dayKey, monthStart, nextMonth } from "./month.ts";
import type { PrefixTotal } from "./inventory.ts";

export interface DayRange {
  /** First day (UTC midnight), inclusive. */
  from: Date;
  /** Last day (UTC midnight), inclusive. */
  to: Date;
}

export const MAX_RANGE_DAYS = 366;

export class RangeError_ extends Error {
  override readonly name = "RangeError";
}

export function checkRange(range: DayRange): void {
  if (range.to < range.from) throw new RangeError_("The range ends before it starts");
  if ((range.to.getTime() - range.from.getTime()) / 86_400_000 + 1 > MAX_RANGE_DAYS) throw new RangeError_(`At most ${MAX_RANGE_DAYS} days at a time`);
}

interface RollupRow {
  day: Date;
  migrationId: string;
  sourceProvider: string;
  sourceRegion: string;
  destProvider: string;
  destRegion: string;
  objects: bigint;
  bytes: bigint;
}

/** The rollup rows of a day range, nothing summed away (a few rows per day). */
function rollupSql(organizationId: string, from: Date, toInclusive: Date): Prisma.Sql {
  return Prisma.sql`
    SELECT "day", "migrationId", "sourceProvider", "sourceRegion", "destProvider", "destRegion", "objects", "bytes"
    FROM "UsageDaily"
    WHERE "organizationId" = ${organizationId} AND "day" >= ${dayKey(from)}::date AND "day" <= ${dayKey(toInclusive)}::date`;
}

interface SnapshotRow {
  id: string;
  storageAccountId: string;
  accountName: string;
  bucket: string;
  provider: string;
  objects: bigint;
  bytes: bigint;
  largestPrefixes: PrefixTotal[];
  bytesByClass: Record<string, number>;
  completedAt: Date;
}

/** The newest complete snapshot of each (account, bucket) at `at`. */
function latestSnapshotsSql(organizationId: string, at: Date): Prisma.Sql {
  return Prisma.sql`
    SELECT DISTINCT ON (s."storageAccountId", s."bucket")
      s."id", s."storageAccountId", a."name" AS "accountName", s."bucket", s."provider"::text AS "provider", s."objects", s."bytes",
      s."largestPrefixes", s."bytesByClass", s."completedAt"
    FROM "InventorySnapshot" s JOIN "StorageAccount" a ON a."id" = s."storageAccountId"
    WHERE s."organizationId" = ${organizationId} AND s."status" = 'COMPLETE' AND s."completedAt" <= ${at}
    ORDER BY s."storageAccountId", s."bucket", s."completedAt" DESC`;
}

/** The complete snapshots of the range (bucket totals only), oldest first. */
function snapshotHistorySql(organizationId: string, from: Date, endOfRange: Date): Prisma.Sql {
  return Prisma.sql`
    SELECT "storageAccountId", "bucket", "provider"::text AS "provider", "bytes", "completedAt" FROM "InventorySnapshot"
    WHERE "organizationId" = ${organizationId} AND "status" = 'COMPLETE' AND "completedAt" >= ${from} AND "completedAt" <= ${endOfRange}
    ORDER BY "completedAt"`;
}

/** The SQL the analytics page runs for a range (the benchmark prints their plans). */
export function analyticsQueries(organizationId: string, range: DayRange, now = new Date()) {
  const month = monthStart(now);
  const lastMonthDay = new Date(nextMonth(month).getTime() - 86_400_000);
  const endOfRange = new Date(range.to.getTime() + 86_400_000 - 1);
  return {
    movedInRange: rollupSql(organizationId, range.from, range.to),
    movedThisMonth: rollupSql(organizationId, month, lastMonthDay),
    latestSnapshots: latestSnapshotsSql(organizationId, now),
    /** What each bucket held when the range starts (its newest snapshot before it). */
    snapshotsAtRangeStart: latestSnapshotsSql(organizationId, new Date(range.from.getTime() - 1)),
    snapshotHistory: snapshotHistorySql(organizationId, range.from, endOfRange),
  };
}

export interface CloudCard {
  provider: string;
  storedBytes: number;
  storedObjects: number;
  buckets: number;
  movedInBytes: number;
  movedOutBytes: number;
  movedInObjects: number;
  movedOutObjects: number;
  egressUsd: number;
  storageUsdPerMonth: number;
  lastScanAt: Date | null;
}

export interface Analytics {
  range: { from: string; to: string };
  month: string;
  cards: CloudCard[];
  movedPerDay: ({ day: string } & Record<string, number | string>)[];
  storedPerDay: ({ day: string } & Record<string, number | string>)[];
  topBuckets: { account: string; provider: string; bucket: string; objects: number; bytes: number; scannedAt: Date }[];
  topPrefixes: { account: string; provider: string; bucket: string; prefix: string; objects: number; bytes: number }[];
  migrations: { migrationId: string; name: string; sourceProvider: string; destProvider: string; objects: number; bytes: number; egressUsd: number }[];
  routes: { sourceProvider: string; sourceRegion: string; destProvider: string; destRegion: string; objects: number; bytes: number; egressUsd: number }[];
  totals: { movedBytes: number; movedObjects: number; egressUsd: number; storedBytes: number; storedObjects: number };
}

function eachDay(range: DayRange): string[] {
  const days: string[] = [];
  for (let t = range.from.getTime(); t <= range.to.getTime(); t += 86_400_000) days.push(dayKey(new Date(t)));
  return days;
}

/**
 * Everything on the analytics page for a day range. Cards show the current UTC month's movement (as of `now`) and the
 * latest inventory; charts and tables follow the range.
 */
export async function analyticsFor(db: Db, organizationId: string, range: DayRange, now = new Date(), prices?: EgressPriceTable): Promise<Analytics> {
  checkRange(range);
  const priceTable = prices ?? (await organizationEgressPrices(db, organizationId)).prices;
  const month = monthStart(now);
  const q = analyticsQueries(organizationId, range, now);
  const [rows, monthRows, latest, atStart, history, names] = await Promise.all([
    db.$queryRaw<RollupRow[]>(q.movedInRange),
    db.$queryRaw<RollupRow[]>(q.movedThisMonth),
    db.$queryRaw<SnapshotRow[]>(q.latestSnapshots),
    db.$queryRaw<SnapshotRow[]>(q.snapshotsAtRangeStart),
    db.$queryRaw<{ storageAccountId: string; bucket: string; provider: string; bytes: bigint; completedAt: Date }[]>(q.snapshotHistory),
    db.migration.findMany({ where: { organizationId }, select: { id: true, name: true } }),
  ]);

  const cards: CloudCard[] = PROVIDERS.map((provider) => {
    const held = latest.filter((s) => s.provider === provider);
    const storedBytes = held.reduce((n, s) => n + Number(s.bytes), 0);
    const out = monthRows.filter((r) => r.sourceProvider === provider);
    const into = monthRows.filter((r) => r.destProvider === provider);
    return {
      provider,
      storedBytes,
      storedObjects: held.reduce((n, s) => n + Number(s.objects), 0),
      buckets: held.length,
      movedInBytes: into.reduce((n, r) => n + Number(r.bytes), 0),
      movedOutBytes: out.reduce((n, r) => n + Number(r.bytes), 0),
      movedInObjects: into.reduce((n, r) => n + Number(r.objects), 0),
      movedOutObjects: out.reduce((n, r) => n + Number(r.objects), 0),
      egressUsd: roundUsd(out.reduce((n, r) => n + egressUsd(r, Number(r.bytes), priceTable), 0)),
      storageUsdPerMonth: roundUsd(storageUsdPerMonth(provider, storedBytes)),
      lastScanAt: held.reduce<Date | null>((d, s) => (!d || s.completedAt > d ? s.completedAt : d), null),
    };
  });

  const days = eachDay(range);
  const moved = new Map(days.map((d) => [d, Object.fromEntries(PROVIDERS.map((p) => [p, 0])) as Record<string, number>]));
  for (const r of rows) {
    const slot = moved.get(dayKey(r.day));
    if (slot) slot[r.sourceProvider] = (slot[r.sourceProvider] ?? 0) + Number(r.bytes);
  }

  // Stored bytes per provider at the end of each day: the newest snapshot of each bucket so far, summed.
  const current = new Map<string, { provider: string; bytes: number }>(atStart.map((s) => [`${s.storageAccountId}\u0000${s.bucket}`, { provider: s.provider, bytes: Number(s.bytes) }]));
  let h = 0;
  const storedPerDay = days.map((day) => {
    const end = new Date(`${day}T23:59:59.999Z`);
    while (h < history.length && history[h]!.completedAt <= end) {
      const s = history[h++]!;
      current.set(`${s.storageAccountId}\u0000${s.bucket}`, { provider: s.provider, bytes: Number(s.bytes) });
    }
    // Before a provider's first scan its stored bytes are unknown, not zero: left out, so charts draw nothing.
    const totals: Record<string, number> = {};
    for (const { provider, bytes } of current.values()) totals[provider] = (totals[provider] ?? 0) + bytes;
    return { day, ...totals };
  });

  const nameOf = new Map(names.map((m) => [m.id, m.name]));
  const perMigration = new Map<string, Analytics["migrations"][number]>();
  const perRoute = new Map<string, Analytics["routes"][number]>();
  for (const r of rows) {
    const cost = egressUsd(r, Number(r.bytes), priceTable);
    const m = perMigration.get(r.migrationId) ?? { migrationId: r.migrationId, name: r.migrationId ? (nameOf.get(r.migrationId) ?? "Deleted migration") : "Other transfers", sourceProvider: r.sourceProvider, destProvider: r.destProvider, objects: 0, bytes: 0, egressUsd: 0 };
    m.objects += Number(r.objects);
    m.bytes += Number(r.bytes);
    m.egressUsd += cost;
    perMigration.set(r.migrationId, m);
    const key = [r.sourceProvider, r.sourceRegion, r.destProvider, r.destRegion].join("\u0000");
    const route = perRoute.get(key) ?? { sourceProvider: r.sourceProvider, sourceRegion: r.sourceRegion, destProvider: r.destProvider, destRegion: r.destRegion, objects: 0, bytes: 0, egressUsd: 0 };
    route.objects += Number(r.objects);
    route.bytes += Number(r.bytes);
    route.egressUsd += cost;
    perRoute.set(key, route);
  }

  const topBuckets = [...latest]
    .sort((a, b) => Number(b.bytes - a.bytes))
    .slice(0, 10)
    .map((s) => ({ account: s.accountName, provider: s.provider, bucket: s.bucket, objects: Number(s.objects), bytes: Number(s.bytes), scannedAt: s.completedAt }));
  const topPrefixes = latest
    .flatMap((s) => (s.largestPrefixes ?? []).map((p) => ({ account: s.accountName, provider: s.provider, bucket: s.bucket, prefix: p.prefix, objects: p.objects, bytes: p.bytes })))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 15);

  const migrations = [...perMigration.values()].map((m) => ({ ...m, egressUsd: roundUsd(m.egressUsd) })).sort((a, b) => b.bytes - a.bytes);
  const routes = [...perRoute.values()].map((r) => ({ ...r, egressUsd: roundUsd(r.egressUsd) })).sort((a, b) => b.bytes - a.bytes);
  return {
    range: { from: dayKey(range.from), to: dayKey(range.to) },
    month: dayKey(month).slice(0, 7),
    cards,
    movedPerDay: days.map((day) => ({ day, ...moved.get(day)! })),
    storedPerDay,
    topBuckets,
    topPrefixes,
    migrations,
    routes,
    totals: {
      movedBytes: rows.reduce((n, r) => n + Number(r.bytes), 0),
      movedObjects: rows.reduce((n, r) => n + Number(r.objects), 0),
      egressUsd: roundUsd(routes.reduce((n, r) => n + r.egressUsd, 0)),
      storedBytes: cards.reduce((n, c) => n + c.storedBytes, 0),
      storedObjects: cards.reduce((n, c) => n + c.storedObjects, 0),
    },
  };
}

/** Every table of the analytics page as CSV-ready rows, by name (the server writes the CSV). */
export function analyticsTables(a: Analytics) {
  return {
    clouds: { columns: ["provider", "storedBytes", "storedObjects", "buckets", "movedInBytes", "movedOutBytes", "movedInObjects", "movedOutObjects", "egressUsd", "storageUsdPerMonth", "lastScanAt"], rows: a.cards },
    "moved-per-day": { columns: ["day", ...PROVIDERS], rows: a.movedPerDay },
    "stored-per-day": { columns: ["day", ...PROVIDERS], rows: a.storedPerDay },
    "top-buckets": { columns: ["account", "provider", "bucket", "objects", "bytes", "scannedAt"], rows: a.topBuckets },
    "top-prefixes": { columns: ["account", "provider", "bucket", "prefix", "objects", "bytes"], rows: a.topPrefixes },
    migrations: { columns: ["migrationId", "name", "sourceProvider", "destProvider", "objects", "bytes", "egressUsd"], rows: a.migrations },
    routes: { columns: ["sourceProvider", "sourceRegion", "destProvider", "destRegion", "objects", "bytes", "egressUsd"], rows: a.routes },
  } as const satisfies Record<string, { columns: readonly string[]; rows: readonly object[] }>;
}

export type AnalyticsTableName = keyof ReturnType<typeof analyticsTables>;
export const ANALYTICS_TABLES = ["clouds", "moved-per-day", "stored-per-day", "top-buckets", "top-prefixes", "migrations", "routes"] as const satisfies readonly AnalyticsTableName[];


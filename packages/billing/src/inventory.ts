// Inventory scans: one streamed listing per bucket, counted in flat memory (totals, bytes by storage class and the
// largest prefixes, found as the sorted listing passes each prefix), checkpointed with its cursor so a scan cut short
// by a crash resumes where it stopped.
import { Prisma, forTenant, type Db, type StorageAccount } from "@crossdock/db";
import { isObjectStoreError, type ObjectStore, type ObjectSummary } from "@crossdock/providers";

export interface PrefixTotal {
  prefix: string;
  objects: number;
  bytes: number;
}

export interface TallyState {
  objects: number;
  bytes: number;
  byClass: Record<string, number>;
  /** The prefix being passed at each depth (listings are sorted: a prefix's keys are contiguous). */
  open: (PrefixTotal | null)[];
  top: PrefixTotal[];
}

/** Prefix depths recorded ("clinical/", "clinical/2024/"), and how many of the largest are kept. */
export const PREFIX_DEPTHS = 2;
export const TOP_PREFIXES = 20;

function prefixAt(key: string, depth: number): string | null {
  let end = -1;
  for (let d = 0; d < depth; d++) {
    end = key.indexOf("/", end + 1);
    if (end < 0) return null;
  }
  return key.slice(0, end + 1);
}

/** Running totals of one bucket's listing; its state is plain JSON, saved with the cursor. */
export class InventoryTally {
  private state: TallyState;

  constructor(state?: TallyState | null) {
    this.state = state ? structuredClone(state) : { objects: 0, bytes: 0, byClass: {}, open: Array(PREFIX_DEPTHS).fill(null), top: [] };
  }

  add(object: Pick<ObjectSummary, "key" | "size" | "storageClass">): void {
    const s = this.state;
    s.objects++;
    s.bytes += object.size;
    const cls = object.storageClass ?? "";
    s.byClass[cls] = (s.byClass[cls] ?? 0) + object.size;
    for (let depth = 1; depth <= PREFIX_DEPTHS; depth++) {
      const prefix = prefixAt(object.key, depth);
      const open = s.open[depth - 1];
      if (open && open.prefix !== prefix) this.close(depth);
      if (prefix === null) continue;
      const current = (s.open[depth - 1] ??= { prefix, objects: 0, bytes: 0 });
      current.objects++;
      current.bytes += object.size;
    }
  }

  private close(depth: number): void {
    const done = this.state.open[depth - 1];
    this.state.open[depth - 1] = null;
    if (!done) return;
    const top = this.state.top;
    // A listing out of byte order (rare Azure keys) can pass a prefix twice: merge rather than list it twice.
    const same = top.find((p) => p.prefix === done.prefix);
    if (same) {
      same.objects += done.objects;
      same.bytes += done.bytes;
    } else top.push({ ...done });
    top.sort((a, b) => b.bytes - a.bytes || (a.prefix < b.prefix ? -1 : 1));
    if (top.length > TOP_PREFIXES) top.length = TOP_PREFIXES;
  }

  /** A copy of the state, for a checkpoint. */
  snapshot(): TallyState {
    return structuredClone(this.state);
  }

  /** Closes the open prefixes and returns the totals. */
  finish() {
    for (let depth = 1; depth <= PREFIX_DEPTHS; depth++) this.close(depth);
    const { objects, bytes, byClass, top } = this.state;
    return { objects, bytes, byClass, largestPrefixes: top };
  }
}

export interface ScanOptions {
  pageSize?: number;
  /** Pages between checkpoints (cursor + running state written to the snapshot row). */
  checkpointPages?: number;
  /** At most this many listing requests per second (on top of the store's backoff when the provider throttles). */
  maxPagesPerSecond?: number;
  signal?: AbortSignal;
  /** Called after each page, with the keys counted so far (tests use it to interrupt a scan). */
  onPage?: (counted: number) => void | Promise<void>;
}

export type ScanOutcome = { status: "complete"; snapshotId: string; objects: number; bytes: number } | { status: "failed"; snapshotId: string; error: string };

const settingsRegion = (settings: unknown) => (settings as { region?: string } | null)?.region ?? null;

/** The scan to run for a bucket: the one left SCANNING (to resume) or a new one. */
export async function startInventoryScan(db: Db, account: StorageAccount, bucket: string) {
  const tenant = forTenant(db, account.organizationId);
  const unfinished = await tenant.inventorySnapshots.findFirst({ where: { storageAccountId: account.id, bucket, status: "SCANNING" }, orderBy: { startedAt: "desc" } });
  if (unfinished) return unfinished;
  return tenant.inventorySnapshots.create({
    data: { organizationId: account.organizationId, storageAccountId: account.id, bucket, provider: account.provider, region: settingsRegion(account.settings) },
  });
}

/** Errors that another attempt will not fix: the scan is marked FAILED with the reason. */
const permanent = (error: unknown) => isObjectStoreError(error) && ["InvalidCredentials", "AccessDenied", "BucketNotFound", "Permanent"].includes(error.kind);

/**
 * Runs (or resumes) the scan of one snapshot row against `store`. Transient failures propagate with the cursor
 * saved, so the job's retry resumes; permanent ones mark the snapshot FAILED.
 */
export async function runInventoryScan(db: Db, organizationId: string, snapshotId: string, store: ObjectStore, options: ScanOptions = {}): Promise<ScanOutcome> {
  const tenant = forTenant(db, organizationId);
  const snap = await tenant.inventorySnapshots.findUniqueOrThrow({ where: { id: snapshotId } });
  if (snap.status === "COMPLETE") return { status: "complete", snapshotId, objects: Number(snap.objects), bytes: Number(snap.bytes) };
  if (snap.status === "FAILED") return { status: "failed", snapshotId, error: snap.error ?? "failed" };
  const tally = new InventoryTally(snap.scanState as TallyState | null);
  const checkpointEvery = options.checkpointPages ?? 10;
  const minInterval = options.maxPagesPerSecond ? 1000 / options.maxPagesPerSecond : 0;
  let cursor = snap.cursor ?? undefined;
  let pages = snap.pages;
  let sincecheckpoint = 0;
  let lastPageAt = 0;
  const checkpoint = () => {
    const state = tally.snapshot();
    return tenant.inventorySnapshots.update({
      where: { id: snapshotId },
      data: { cursor, scanState: state as never, pages, objects: BigInt(state.objects), bytes: BigInt(state.bytes) },
    });
  };
  try {
    const listing = store.listObjects(snap.bucket, { startAfter: cursor, pageSize: options.pageSize ?? 1000, signal: options.signal })[Symbol.asyncIterator]();
    while (true) {
      if (minInterval) {
        const wait = lastPageAt + minInterval - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        lastPageAt = Date.now();
      }
      const next = await listing.next();
      if (next.done) break;
      for (const object of next.value.objects) tally.add(object);
      const last = next.value.objects.at(-1);
      if (last) cursor = last.key;
      pages++;
      if (++sincecheckpoint >= checkpointEvery) {
        await checkpoint();
        sincecheckpoint = 0;
      }
      await options.onPage?.(tally.snapshot().objects);
    }
  } catch (error) {
    if (permanent(error)) {
      const message = error instanceof Error ? error.message : String(error);
      await tenant.inventorySnapshots.update({ where: { id: snapshotId }, data: { status: "FAILED", error: message, completedAt: new Date() } });
      return { status: "failed", snapshotId, error: message };
    }
    // Keep what was counted up to the last full page: the retry resumes after `cursor`.
    await checkpoint().catch(() => {});
    throw error;
  }
  const result = tally.finish();
  await tenant.inventorySnapshots.update({
    where: { id: snapshotId },
    data: {
      status: "COMPLETE", objects: BigInt(result.objects), bytes: BigInt(result.bytes), bytesByClass: result.byClass, largestPrefixes: result.largestPrefixes as never,
      cursor: null, scanState: Prisma.DbNull, pages, completedAt: new Date(),
    },
  });
  return { status: "complete", snapshotId, objects: result.objects, bytes: result.bytes };
}

/** Scans every bucket of an account, one after another (a bucket's scan resumes if one was cut short). */
export async function scanAccount(db: Db, account: StorageAccount, store: ObjectStore, options: ScanOptions = {}) {
  const buckets = await store.listBuckets();
  const outcomes: ScanOutcome[] = [];
  for (const bucket of buckets) {
    const snap = await startInventoryScan(db, account, bucket.name);
    outcomes.push(await runInventoryScan(db, account.organizationId, snap.id, store, options));
  }
  return outcomes;
}

/** Snapshots younger than this are all kept; older ones keep the last of each bucket's UTC day (what charts draw). */
export const KEEP_ALL_SNAPSHOTS_MS = 2 * 86_400_000;

/**
 * Bounds the history: every snapshot of the last two days, then one per bucket and UTC day (its last), so scanning
 * every few hours does not grow the table (and the charts' queries) without end. Failed scans go after 30 days.
 */
export async function compactInventoryHistory(db: Db, now = new Date()) {
  const cutoff = new Date(now.getTime() - KEEP_ALL_SNAPSHOTS_MS);
  const removed = await db.$executeRaw`
    DELETE FROM "InventorySnapshot" s
    WHERE s."status" = 'COMPLETE' AND s."completedAt" < ${cutoff}
      AND EXISTS (
        SELECT 1 FROM "InventorySnapshot" later
        WHERE later."storageAccountId" = s."storageAccountId" AND later."bucket" = s."bucket" AND later."status" = 'COMPLETE'
          AND later."completedAt"::date = s."completedAt"::date AND later."completedAt" > s."completedAt")`;
  const failed = await db.$executeRaw`
    DELETE FROM "InventorySnapshot" WHERE "status" = 'FAILED' AND "startedAt" < ${new Date(now.getTime() - 30 * 86_400_000)}`;
  return { removed, failed };
}

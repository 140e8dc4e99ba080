// The planner streams: planning must not hold the listing (nor anything per object). Measured over 5,000 real
// files on the local store and over a generated listing of 50,000 objects (creating 50,000 files takes this
// disk half a minute; the planner sees the same pages either way).
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ObjectStore } from "@crossdock/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planPass } from "../src/plan.ts";
import { createAccount, createMigration, createOrganization, db, migrationRow, TestEngine } from "./helpers.ts";

const MiB = 1024 * 1024;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "crossdock-migration-mem-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await db.$disconnect();
});

/** `count` small files in folders of 500, written straight to disk (the local store reads plain files). */
function seed(bucket: string, count: number): void {
  for (let f = 0; f * 500 < count; f++) {
    const dir = path.join(root, bucket, `folder-${String(f).padStart(4, "0")}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < Math.min(500, count - f * 500); i++) writeFileSync(path.join(dir, `object-${String(i).padStart(4, "0")}.dat`), "x".repeat(i % 7));
  }
}

/**
 * Peak of live memory (heap + array buffers, after forced GCs) above the starting level while `fn` runs.
 * Sampled at every shard the planner cuts (where a leak would have piled up) and every 100 ms.
 */
async function peakGrowth(fn: (sample: () => void) => Promise<unknown>): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  expect(gc, "run with --expose-gc (vitest.config.mts sets it)").toBeTypeOf("function");
  const level = () => {
    gc!();
    gc!();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = level();
  let peak = base;
  const sample = () => {
    peak = Math.max(peak, level());
  };
  const timer = setInterval(sample, 100);
  try {
    await fn(sample);
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, level()) - base;
}

/** A source that lists `count` generated keys in order, a page at a time, honouring startAfter. */
function generatedListing(count: number): ObjectStore {
  const key = (i: number) => `gen/folder-${String(Math.floor(i / 500)).padStart(4, "0")}/object-${String(i % 500).padStart(4, "0")}.dat`;
  const store: Partial<ObjectStore> = {
    provider: "local",
    accountId: "generated",
    async *listObjects(_bucket, options = {}) {
      let i = 0;
      if (options.startAfter !== undefined) while (i < count && key(i) <= options.startAfter) i++;
      const pageSize = options.pageSize ?? 1000;
      while (i < count) {
        const objects = [];
        for (const end = Math.min(count, i + pageSize); i < end; i++) objects.push({ key: key(i), size: i % 7, lastModified: new Date(1_700_000_000_000 + i), etag: `etag-${i}` });
        yield { objects, commonPrefixes: [] };
      }
    },
    close: async () => {},
  };
  return store as ObjectStore;
}

async function planOver(bucket: string, count: number, generated = false) {
  const org = await createOrganization("memory");
  const config = { provider: "local" as const, rootDir: root };
  const source = await createAccount(org, config);
  const engine = new TestEngine().account(source, config);
  if (generated) engine.openStore = () => generatedListing(count);
  engine.holdPlans = true;
  let shards = 0;
  let sample = () => {};
  // Count queued shards without keeping them.
  engine.enqueueShard = async () => {
    shards++;
    sample();
  };
  const id = await createMigration({ organizationId: org, source, sourceBucket: bucket, dest: source, destBucket: `${bucket}-dest`, options: { shard: { maxObjects: 500 } } });
  const growth = await peakGrowth((s) => {
    sample = s;
    return planPass(engine, id, { pageSize: 1000 });
  });
  const m = await migrationRow(id);
  expect(m.planComplete).toBe(true);
  expect(Number(m.plannedObjects)).toBe(count);
  expect(shards).toBe(count / 500 + 1);
  return growth;
}

describe("planner memory", () => {
  it("plans 5,000 local files and 50,000 listed objects in flat memory", async () => {
    seed("small", 5_000);
    // Warm up (module loading, Prisma's first queries) so it does not count as growth.
    await planOver("small", 5_000);
    const small = await planOver("small", 5_000);
    const large = await planOver("large", 50_000, true);
    console.info(`[memory] planner peak growth: 5,000 local files ${(small / MiB).toFixed(1)} MiB, 50,000 listed objects ${(large / MiB).toFixed(1)} MiB`);
    // Holding 50,000 listing entries would cost over 10 MiB; ten times the objects must not cost ten times the memory.
    expect(small).toBeLessThan(12 * MiB);
    expect(large).toBeLessThan(12 * MiB);
    expect(large).toBeLessThan(small * 3 + 4 * MiB);
  }, 180_000);
});

// Child process of bench/migrate.ts: runs only the planner of one migration (shards are cut and recorded,
// never queued) and prints one JSON line with its outcome, so the parent can measure this process alone.
// Env: DATABASE_URL, DEMO_CLOUDS_FILE. Argument: the migration id.
import { readFileSync } from "node:fs";
import { createDb } from "@crossdock/db";
import { planPass, type EngineDeps } from "@crossdock/migration";
import { openAccountStore } from "@crossdock/storage";

const migrationId = process.argv[2];
if (!migrationId || !process.env.DATABASE_URL) throw new Error("usage: DATABASE_URL=... plan-child.ts <migrationId>");

const db = createDb(process.env.DATABASE_URL, { max: 4 });
let enqueued = 0;
const deps: EngineDeps = {
  db,
  openStore: (account) => openAccountStore(account),
  enqueuePlan: async () => {},
  enqueueShard: async () => {
    enqueued++;
  },
};

/** Peaks of V8's heap (total = reserved for JS objects, used = live + not yet collected) while planning. */
const heap = { totalMiB: 0, usedMiB: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  heap.totalMiB = Math.max(heap.totalMiB, m.heapTotal / 1048576);
  heap.usedMiB = Math.max(heap.usedMiB, m.heapUsed / 1048576);
}, 50);
const started = process.hrtime.bigint();
const outcome = await planPass(deps, migrationId);
clearInterval(sampler);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
console.log(JSON.stringify({ result: { outcome, seconds, enqueued, hwmKiB: Number(hwm ?? 0), heap } }));
await db.$disconnect();
process.exit(0);

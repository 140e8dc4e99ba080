// Starting Crossdock's own processes (web, worker) and preparing the database: shared by start and test.
import { rmSync } from "node:fs";
import path from "node:path";
import { root } from "./paths.mjs";
import { run, spawnTethered, waitFor } from "./processes.mjs";
import { workerNodeArgs } from "../../apps/worker/node-args.mjs";

const bin = (name) => path.join(root, "node_modules", ".bin", name);
export const dbPackage = path.join(root, "packages", "db");

export async function migrate(env) {
  console.log("[crossdock] applying database migrations");
  await run(bin("prisma"), ["migrate", "deploy"], { env, cwd: dbPackage, quiet: true }).catch((error) => {
    throw new Error(`Database migrations failed:\n${error.message}`);
  });
}

/** The platform operator account (when OPERATOR_PASSWORD is set): edits billing plans. */
export async function seedOperator(env) {
  await run(process.execPath, ["--import", "tsx", "scripts/seed-operator.ts"], { env: { ...env, NODE_NO_WARNINGS: "1" }, cwd: root });
}

/** Builds the web app (turbo replays a cached build when nothing changed). */
export async function buildWeb(env) {
  console.log("[crossdock] building the web app (cached after the first time)");
  await run(bin("turbo"), ["run", "build", "--filter=@crossdock/web", "--output-logs=errors-only"], {
    env: { ...env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
    cwd: root,
  });
}

export function startWeb(env, port) {
  const child = spawnTethered("web", bin("next"), ["start", "--hostname", "127.0.0.1", "--port", String(port)], {
    env: { ...env, NEXT_TELEMETRY_DISABLED: "1", PORT: String(port) },
    cwd: path.join(root, "apps", "web"),
  });
  return child;
}

export function startWorker(env) {
  // `node --import tsx` keeps the worker one process: signals reach it directly, nothing is left behind.
  return spawnTethered("worker", process.execPath, [...workerNodeArgs(env), "src/main.ts"], { env, cwd: path.join(root, "apps", "worker") });
}

/** The emulated clouds with the demo data set; their configs land in DEMO_CLOUDS_FILE for the web app. */
export function startDemoClouds(env) {
  env.DEMO_CLOUDS_FILE ??= path.join(root, ".data", "demo-clouds.json");
  rmSync(env.DEMO_CLOUDS_FILE, { force: true });
  return spawnTethered("demo clouds", process.execPath, ["--import", "tsx", "scripts/demo-clouds.ts"], { env: { ...env, NODE_NO_WARNINGS: "1" }, cwd: root });
}

export async function waitForHttp(url, timeoutMs = 120_000) {
  await waitFor(url, async () => (await fetch(url, { redirect: "manual" })).status < 500, { timeoutMs, intervalMs: 500 });
}

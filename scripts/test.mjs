#!/usr/bin/env node
// `npm test`: every test against real services, in a database and Redis prefix of its own (never the dev data).
//   1. typecheck   2. schema vs migrations   3. unit + integration (vitest)   4. end-to-end (Playwright, Chromium)
// Pass `--only=vitest` or `--only=e2e` to run one stage; extra arguments after `--` go to that runner.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { ensureServices, ensureDatabase, dropDatabase } from "./lib/services.mjs";
import { onShutdown, run, stopAll, waitFor } from "./lib/processes.mjs";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { buildWeb, dbPackage, migrate, seedOperator, startDemoClouds, startWeb, startWorker, waitForHttp } from "./lib/platform.mjs";
import { ensureChromium } from "./lib/chromium.mjs";
import { root } from "./lib/paths.mjs";

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const passThrough = args.includes("--") ? args.slice(args.indexOf("--") + 1) : [];
const stage = (name) => !only || only === name;
const bin = (name) => path.join(root, "node_modules", ".bin", name);

const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
let testDbUrl;
let e2eDbUrl;
let redisUrl;
const prefix = `crossdock-test-${runId}`;
const scratch = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));

async function cleanup() {
  await stopAll().catch(() => {});
}

async function cleanupData() {
  rmSync(scratch, { recursive: true, force: true });
  for (const url of [testDbUrl, e2eDbUrl]) {
    if (url && !process.env.KEEP_TEST_DB) await dropDatabase(url).catch((e) => console.error(`[test] could not drop the test database: ${e.message}`));
  }
  if (redisUrl) {
    const { Redis } = await import("ioredis");
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

// Data first (while PostgreSQL still runs; dropping WITH (FORCE) ends the app's connections), then processes.
onShutdown(async () => {
  await cleanupData();
  await cleanup();
});

function section(title) {
  console.log(`\n=== ${title} ===`);
}

let failed = false;
try {
  // Tests never read .env.local: they get throwaway secrets of their own.
  const env = {
    ...process.env,
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    REDIS_PREFIX: prefix,
    LOCAL_STORAGE_ROOT: path.join(scratch, "local-storage"),
    NODE_ENV: "test",
    TURBO_TELEMETRY_DISABLED: "1",
    NEXT_TELEMETRY_DISABLED: "1",
    DO_NOT_TRACK: "1",
  };
  const services = await ensureServices(env);
  redisUrl = services.REDIS_URL;
  const base = new URL(services.DATABASE_URL);
  base.pathname = `/crossdock_test_${runId}`;
  testDbUrl = base.toString();
  Object.assign(env, { DATABASE_URL: testDbUrl, REDIS_URL: redisUrl });
  await ensureDatabase(testDbUrl);

  if (stage("typecheck")) {
    section("typecheck");
    await run(bin("turbo"), ["run", "typecheck", "--output-logs=errors-only"], { env, cwd: root });
    await run(bin("tsc"), ["--noEmit", "-p", "scripts"], { env, cwd: root });
    await run(bin("tsc"), ["--noEmit", "-p", "bench"], { env, cwd: root });
  }
  if (stage("migrations")) {
    section("schema.prisma vs prisma/migrations");
    await run("node", ["schema-engine/check-drift.mjs"], { env, cwd: dbPackage });
  }
  await migrate(env);

  if (stage("vitest")) {
    section("unit and integration tests (vitest)");
    await run(bin("vitest"), ["run", ...passThrough], { env, cwd: root });
  }

  if (stage("e2e")) {
    section("end-to-end tests (Playwright, Chromium)");
    const executablePath = await ensureChromium();
    const port = Number(process.env.E2E_PORT ?? 3100);
    // A database and Redis prefix of its own: nothing the integration tests left queued runs here.
    e2eDbUrl = `${testDbUrl}_e2e`;
    await ensureDatabase(e2eDbUrl);
    const e2eEnv = {
      ...env,
      DATABASE_URL: e2eDbUrl,
      REDIS_PREFIX: `${prefix}-e2e`,
      NODE_ENV: "production",
      NEXTAUTH_URL: `http://localhost:${port}`,
      WORKER_LOCK_MS: "5000",
      DEMO_DATASET: "small",
      DEMO_CLOUDS_FILE: path.join(scratch, "demo-clouds.json"),
      DEMO_USER_PASSWORD: "demo-e2e-password-1",
      // The enclave journey moves time forward: the web app and the worker read this offset (tests only).
      CROSSDOCK_TEST_CLOCK_FILE: path.join(scratch, "clock.json"),
      CROSSDOCK_TEST_CLOCK: "enabled-for-tests",
      ENCLAVE_SWEEP_MS: "2000",
      OPERATOR_EMAIL: "operator@crossdock.local",
      OPERATOR_PASSWORD: "operator-e2e-password-1",
    };
    await migrate(e2eEnv);
    await seedOperator(e2eEnv);
    startDemoClouds(e2eEnv);
    await buildWeb(e2eEnv);
    startWeb(e2eEnv, port);
    startWorker(e2eEnv);
    await waitForHttp(`http://127.0.0.1:${port}/sign-up`);
    await waitFor("the demo clouds", () => existsSync(e2eEnv.DEMO_CLOUDS_FILE), { timeoutMs: 120_000 });
    await run(bin("playwright"), ["test", "--config", "e2e/playwright.config.ts", ...passThrough], {
      env: { ...e2eEnv, BASE_URL: `http://localhost:${port}`, CHROMIUM_PATH: executablePath },
      cwd: root,
    });
  }
} catch (error) {
  failed = true;
  console.error(`\n[test] FAILED: ${error instanceof Error ? error.message.split("\n")[0] : error}`);
} finally {
  await cleanupData();
  await cleanup();
}
console.log(failed ? "\n[test] some tests failed" : "\n[test] all tests passed");
process.exit(failed ? 1 : 0);

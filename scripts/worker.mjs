#!/usr/bin/env node
// `npm run worker`: one more worker process against the same PostgreSQL and Redis as `npm start`
// (DATABASE_URL / REDIS_URL when set, else the project-local services, which must already be running).
import { loadLocalEnv } from "./lib/env-file.mjs";
import { ensureServices } from "./lib/services.mjs";
import { onShutdown, stopAll } from "./lib/processes.mjs";
import { startWorker } from "./lib/platform.mjs";

onShutdown(stopAll);
const env = loadLocalEnv();
Object.assign(env, await ensureServices(env));
const worker = startWorker(env);
worker.once("exit", async (code) => {
  await stopAll();
  process.exit(code ?? 0);
});

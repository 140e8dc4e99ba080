#!/usr/bin/env node
// Runs one command with DATABASE_URL / REDIS_URL pointing at running services (started here when needed).
// Usage: node scripts/with-services.mjs <command> [args...]
import { spawn } from "node:child_process";
import { loadLocalEnv } from "./lib/env-file.mjs";
import { ensureServices } from "./lib/services.mjs";
import { onShutdown, stopAll, stopChild } from "./lib/processes.mjs";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node scripts/with-services.mjs <command> [args...]");
  process.exit(2);
}
let child;
// On a signal: the command first, then the services it was using.
onShutdown(async () => {
  if (child) await stopChild(child);
  await stopAll();
});
const env = loadLocalEnv();
Object.assign(env, await ensureServices(env));
child = spawn(command, args, { env, stdio: "inherit" });
const code = await new Promise((resolve) => child.on("exit", (c, s) => resolve(c ?? (s ? 1 : 0))));
await stopAll();
process.exit(code);

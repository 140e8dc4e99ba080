#!/usr/bin/env node
// `npm start`: services, migrations, the web app on http://localhost:3000 and one worker. Ctrl-C stops it all.
import path from "node:path";
import { loadLocalEnv } from "./lib/env-file.mjs";
import { root } from "./lib/paths.mjs";
import { ensureServices } from "./lib/services.mjs";
import { isStopping, onShutdown, stopAll } from "./lib/processes.mjs";
import { buildWeb, migrate, seedOperator, startDemoClouds, startWeb, startWorker, waitForHttp } from "./lib/platform.mjs";

onShutdown(stopAll);
try {
  const env = loadLocalEnv();
  const port = Number(env.PORT ?? 3000);
  env.NEXTAUTH_URL ??= `http://localhost:${port}`;
  env.LOCAL_STORAGE_ROOT ??= path.join(root, ".data", "local-storage");
  Object.assign(env, await ensureServices(env));
  await migrate(env);
  await seedOperator(env);
  const demo = startDemoClouds(env);
  await buildWeb(env);
  const web = startWeb(env, port);
  const worker = startWorker(env);
  await waitForHttp(`http://127.0.0.1:${port}/sign-up`);
  console.log(
    `\n  Crossdock is running at http://localhost:${port}  (Ctrl-C stops it)\n` +
      `  Demo organization: sign in as demo@crossdock.local / ${env.DEMO_USER_PASSWORD} (password in .env.local)\n` +
      `  Platform operator (billing plans): ${env.OPERATOR_EMAIL ?? "operator@crossdock.local"} / ${env.OPERATOR_PASSWORD}\n` +
      `  Add workers with: npm run worker\n`,
  );
  const exited = await Promise.race([web, worker, demo].map((c) => new Promise((r) => c.once("exit", () => r(c.label)))));
  if (isStopping()) await new Promise(() => {}); // Ctrl-C: the shutdown handler finishes and exits.
  console.error(`[crossdock] the ${exited} process stopped unexpectedly; stopping everything.`);
  await stopAll();
  process.exit(1);
} catch (error) {
  console.error(`\n[crossdock] could not start: ${error instanceof Error ? error.message : error}`);
  await stopAll();
  process.exit(1);
}

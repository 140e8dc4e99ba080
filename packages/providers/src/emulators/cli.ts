// Runs the "demo clouds": starts every emulator (or those named on the command line), prints ONE JSON line
// {"azurite": {...config}, ...}, and keeps running until SIGTERM/SIGINT or until its parent dies.
// Usage: tsx packages/providers/src/emulators/cli.ts [azurite] [s3rver] [fauxqs] [firebase-storage]
import { EMULATOR_STARTERS, startEmulators, stopEmulators, type EmulatorName } from "./emulators.ts";

const requested = process.argv.slice(2) as EmulatorName[];
const unknown = requested.filter((n) => !(n in EMULATOR_STARTERS));
if (unknown.length > 0) {
  process.stderr.write(`unknown emulator(s): ${unknown.join(", ")}; choose from ${Object.keys(EMULATOR_STARTERS).join(", ")}\n`);
  process.exit(2);
}

const running = await startEmulators(requested.length > 0 ? requested : undefined);
let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await stopEmulators(running);
  process.exit(code);
}
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => void shutdown(0));

// Our children already die with us; we die with our parent (npm start killed with SIGKILL, say).
const parent = process.ppid;
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    void shutdown(0);
  }
}, 1000);

process.stdout.write(`${JSON.stringify(Object.fromEntries(running.map((e) => [e.name, { url: e.url, pid: e.pid, config: e.config }])))}\n`);

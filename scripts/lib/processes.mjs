// Child processes that never outlive the script that started them, even when it is killed with SIGKILL.
import { spawn } from "node:child_process";

const children = new Set();
let stopping = false;

/** True once this process has begun stopping what it started (so exits are expected, not failures). */
export const isStopping = () => stopping;

/**
 * Starts `command` under a small shell guard that stops it (with `stopSignal`) as soon as this
 * Node process is gone, so a crashed or killed `npm start` never leaves servers behind.
 */
export function spawnTethered(name, command, args, { env = process.env, cwd, stopSignal = "TERM", quiet = false } = {}) {
  const quoted = [command, ...args].map((a) => `'${String(a).replaceAll("'", "'\\''")}'`).join(" ");
  const guard = `${quoted} & c=$!
trap 'kill -${stopSignal} $c 2>/dev/null; wait $c; exit $?' TERM INT
while kill -0 ${process.pid} 2>/dev/null && kill -0 $c 2>/dev/null; do sleep 1 & wait $!; done
kill -${stopSignal} $c 2>/dev/null; wait $c`;
  // Own process group: Ctrl-C reaches only this script, which then stops children in order (apps before databases).
  const child = spawn("sh", ["-c", guard], { env, cwd, detached: true, stdio: quiet ? ["ignore", "ignore", "pipe"] : ["ignore", "inherit", "inherit"] });
  child.label = name;
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

/** Stops every tethered child, the last started first, waiting for each to exit. */
export async function stopAll() {
  stopping = true;
  for (const child of [...children].reverse()) await stopChild(child);
}

export function stopChild(child, timeoutMs = 20_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(command, args, { env = process.env, cwd, quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: quiet ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"] });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? code})\n${output}`)),
    );
  });
}

export async function waitFor(what, check, { timeoutMs = 60_000, intervalMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${what} did not answer within ${timeoutMs / 1000}s${lastError ? `: ${lastError.message}` : ""}`);
}

/** Calls `onExit` once on Ctrl-C / SIGTERM, then exits with `code`. */
export function onShutdown(onExit) {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      console.log(`\n[crossdock] ${signal}: stopping everything this command started...`);
      try {
        await onExit();
      } finally {
        process.exit(signal === "SIGINT" ? 130 : 143);
      }
    });
  }
}

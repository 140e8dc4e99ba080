// Runs inside every emulator child process: announce readiness, and die with the parent.
// Kept free of TypeScript-only runtime syntax so Node 22 can run it with plain type stripping.

const cleanups: (() => void | Promise<void>)[] = [];
let exiting = false;

async function exit(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  const timer = setTimeout(() => process.exit(code), 3000);
  timer.unref();
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch {
      // best effort: the process is going away
    }
  }
  process.exit(code);
}

/**
 * Exits (after `cleanup`) when the parent dies: its stdin pipe closes, or its pid stops answering.
 * Also exits on SIGTERM / SIGINT / SIGHUP.
 */
export function tetherToParent(cleanup?: () => void | Promise<void>): void {
  if (cleanup) cleanups.push(cleanup);
  if (cleanups.length > 1) return;
  const parentPid = Number(process.env.CROSSDOCK_PARENT_PID ?? process.ppid);
  const poll = setInterval(() => {
    try {
      process.kill(parentPid, 0);
      if (process.ppid !== parentPid && process.ppid === 1) void exit(0);
    } catch {
      void exit(0);
    }
  }, 500);
  poll.unref();
  if (!process.stdin.isTTY) {
    process.stdin.on("end", () => void exit(0));
    process.stdin.on("close", () => void exit(0));
    process.stdin.on("error", () => void exit(0));
    process.stdin.resume();
  }
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => void exit(0));
}

/** The one line the parent waits for. */
export function announceReady(info: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ready: info })}\n`);
}

export function failStartup(error: unknown): never {
  process.stderr.write(`emulator failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}

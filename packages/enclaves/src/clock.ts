// The time every enclave rule is judged by. Production uses the system clock. Tests (and the Playwright
// journeys) move time forward through a file holding an offset, read by the web app and the workers alike;
// it is honoured only when CROSSDOCK_TEST_CLOCK_FILE is set and either NODE_ENV is not production or
// CROSSDOCK_TEST_CLOCK=enabled-for-tests says so explicitly, and any other combination refuses to start.
import { readFileSync, statSync, writeFileSync } from "node:fs";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const TEST_CLOCK_FLAG = "enabled-for-tests";

export class TestClockRefusedError extends Error {
  constructor() {
    super(`CROSSDOCK_TEST_CLOCK_FILE is set in production: remove it, or set CROSSDOCK_TEST_CLOCK=${TEST_CLOCK_FLAG} if this really is a test run.`);
    this.name = "TestClockRefusedError";
  }
}

/** A clock whose offset (milliseconds, JSON {"offsetMs": n}) comes from a file; re-read when the file changes. */
export function fileOffsetClock(file: string): Clock {
  let cachedMtime = -1;
  let offsetMs = 0;
  return {
    now() {
      try {
        const mtime = statSync(file).mtimeMs;
        if (mtime !== cachedMtime) {
          offsetMs = Number((JSON.parse(readFileSync(file, "utf8")) as { offsetMs?: number }).offsetMs ?? 0) || 0;
          cachedMtime = mtime;
        }
      } catch {
        offsetMs = 0;
        cachedMtime = -1;
      }
      return new Date(Date.now() + offsetMs);
    },
  };
}

/** Writes the offset a test clock file carries (tests only). */
export function setTestClockOffset(file: string, offsetMs: number) {
  writeFileSync(file, JSON.stringify({ offsetMs }));
}

/** The process's clock from its environment; throws TestClockRefusedError for a test clock in production. */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const file = env.CROSSDOCK_TEST_CLOCK_FILE;
  if (!file) return systemClock;
  if (env.NODE_ENV === "production" && env.CROSSDOCK_TEST_CLOCK !== TEST_CLOCK_FLAG) throw new TestClockRefusedError();
  return fileOffsetClock(file);
}

let processClock: Clock | undefined;
/** The process-wide clock (from the environment, once). */
export function clock(): Clock {
  processClock ??= clockFromEnv();
  return processClock;
}

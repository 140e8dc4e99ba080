// Process helpers for benchmarks: peak memory of another process, spawning with a wait-for-line, timing.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

export const MiB = 1024 * 1024;

export interface MemoryPeak {
  /** Highest VmRSS seen by sampling (KiB). */
  sampledRssKiB: number;
  /** Highest VmHWM (the kernel's own peak RSS) read while the process was alive (KiB). */
  hwmKiB: number;
  /** max of the two, in MiB. */
  peakMiB: number;
}

/** Samples /proc/<pid>/status every `everyMs`; VmHWM makes the peak exact even between samples. */
export function sampleMemory(pid: number, everyMs = 100): { stop(): MemoryPeak; read(): void } {
  let rss = 0;
  let hwm = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const r = /VmRSS:\s+(\d+)/.exec(status);
      const h = /VmHWM:\s+(\d+)/.exec(status);
      if (r) rss = Math.max(rss, Number(r[1]));
      if (h) hwm = Math.max(hwm, Number(h[1]));
    } catch {
      // gone
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    read,
    stop() {
      read();
      clearInterval(timer);
      return { sampledRssKiB: rss, hwmKiB: hwm, peakMiB: Math.max(rss, hwm) / 1024 };
    },
  };
}

/** CPU seconds (user + system) a process has used so far, or NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[11] = utime, fields[12] = stime (clock ticks; 100 per second on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

export function loadAverage(): string {
  return os.loadavg().map((n) => n.toFixed(2)).join(" ");
}

export function seconds(startNs: bigint, endNs = process.hrtime.bigint()): number {
  return Number(endNs - startNs) / 1e9;
}

export interface Spawned {
  child: ChildProcess;
  /** Everything written to stdout+stderr, last 20 KB. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first output line matching `pattern`; rejects if the process exits first or after timeoutMs. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

export function spawnProcess(command: string, args: string[], options: SpawnOptions & { echo?: string } = {}): Spawned {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let partial = "";
  const onData = (d: Buffer) => {
    const text = d.toString();
    out = (out + text).slice(-20_000);
    if (options.echo) process.stderr.write(text.replace(/^(?=.)/gm, `[${options.echo}] `));
    partial += text;
    let nl: number;
    while ((nl = partial.indexOf("\n")) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    output: () => out,
    exited,
    waitForLine(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} from ${command}\n${out}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`${command} exited (${signal ?? code}) before printing ${pattern}\n${out}`));
        });
      });
    },
    async stop(signal = "SIGTERM", timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.kill(signal);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The machine's CPU ticks so far (all cores): busy and total, from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const first = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = first.reduce((a, b) => a + b, 0);
  const idle = (first[3] ?? 0) + (first[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/**
 * Where the CPU went between start and stop: each named process's share of one core (100% = one core busy)
 * and how much of the whole machine sat idle. Tells "the tool is slow" from "the emulator is saturated".
 */
export function cpuShares(pids: Record<string, number | undefined>): { stop(): string } {
  const started = process.hrtime.bigint();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid ? cpuSeconds(pid) : NaN]));
  const ticks = machineTicks();
  return {
    stop() {
      const wall = seconds(started);
      const after = machineTicks();
      const parts = Object.entries(pids).map(([name, pid]) => `${name} ${(((pid ? cpuSeconds(pid) : NaN) - before[name]!) / wall * 100).toFixed(0)}%`);
      const idle = 1 - (after.busy - ticks.busy) / Math.max(1, after.total - ticks.total);
      return `CPU ${parts.join(", ")}, machine idle ${(idle * 100).toFixed(0)}%`;
    },
  };
}

/** CPU seconds used by this process's children that have exited and been reaped (cutime + cstime). */
export function reapedChildrenCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

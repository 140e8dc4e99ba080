import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, forTenant } from "@crossdock/db";
import { createQueue, createRedis, enqueueJob } from "@crossdock/jobs";

// Real worker processes against the test database and Redis: a graceful SIGTERM and a SIGKILL mid-job.
const env = { ...process.env, WORKER_LOCK_MS: "2000", WORKER_CONCURRENCY: "2" };
const db = createDb(process.env.DATABASE_URL!);
const redis = createRedis(process.env.REDIS_URL!);
const queue = createQueue(redis, process.env.REDIS_PREFIX!);
const workers: ChildProcess[] = [];
let organizationId: string;

function startWorker() {
  // One process (no tsx CLI wrapper), so SIGKILL really kills the worker that holds the job.
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: path.join(import.meta.dirname, ".."), env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  workers.push(child);
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", () => output.includes("ready:") && resolve());
    child.once("exit", (code) => reject(new Error(`worker exited (${code}) before ready:\n${output}`)));
  });
  return { child, ready, output: () => output };
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code))));

async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForRun(id: string, status: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await db.jobRun.findUniqueOrThrow({ where: { id } });
    if (run.status === status) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${run.status}, not ${status}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  organizationId = (await db.organization.create({ data: { name: "Worker test org" } })).id;
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
  await queue.close();
  redis.disconnect();
  await db.$disconnect();
});

const enqueue = (steps: number, stepMs: number) =>
  enqueueJob({ queue, tenant: forTenant(db, organizationId), kind: "maintenance.sweep", payload: { steps, stepMs }, requestedById: null });

describe("worker", () => {
  it("finishes the running job on SIGTERM before exiting, and takes no new one", async () => {
    const worker = startWorker();
    await worker.ready;
    const run = await enqueue(10, 200);
    await waitForRun(run.id, "RUNNING");
    worker.child.kill("SIGTERM");
    await until(() => worker.output().includes("SIGTERM: finishing running jobs"));
    const later = await enqueue(1, 0);
    expect(await exited(worker.child)).toBe(0);
    const done = await db.jobRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(done).toMatchObject({ status: "SUCCEEDED", attempts: 1, result: expect.objectContaining({ steps: 10 }) });
    // The job queued during shutdown waits in Redis for the next worker.
    expect((await db.jobRun.findUniqueOrThrow({ where: { id: later.id } })).status).toBe("QUEUED");
    const next = startWorker();
    await next.ready;
    await waitForRun(later.id, "SUCCEEDED");
    next.child.kill("SIGTERM");
    expect(await exited(next.child)).toBe(0);
  });

  it("resumes a job whose worker was SIGKILLed mid-run on another worker, recording it once", async () => {
    const doomed = startWorker();
    await doomed.ready;
    const run = await enqueue(40, 100);
    await waitForRun(run.id, "RUNNING");
    doomed.child.kill("SIGKILL");
    await exited(doomed.child);
    const rescuer = startWorker();
    await rescuer.ready;
    // The lock (2 s in this test) lapses, the job is detected as stalled and runs again from the start.
    const done = await waitForRun(run.id, "SUCCEEDED", 60_000);
    expect(done.result).toMatchObject({ steps: 40 });
    expect(done.attempts).toBe(2);
    expect(await db.jobRun.count({ where: { id: run.id } })).toBe(1);
    rescuer.child.kill("SIGTERM");
    expect(await exited(rescuer.child)).toBe(0);
  });
});

// MD5 of large objects on a helper thread: the event loop that drives the uploads stays free while a
// 256 MiB object is hashed (MD5 runs at ~700 MB/s, as slow as many networks). CRC32C stays inline: it is native.
import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

// Plain CommonJS evaluated in the thread: no file to resolve, so bundlers and tsx leave it alone.
const THREAD_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const running = new Map();
parentPort.on("message", (m) => {
  if (m.op === "update") {
    let h = running.get(m.id);
    if (!h) running.set(m.id, (h = createHash("md5")));
    h.update(m.data);
    parentPort.postMessage({ op: "ack", id: m.id, bytes: m.data.length });
  } else if (m.op === "digest") {
    const h = running.get(m.id) ?? createHash("md5");
    running.delete(m.id);
    parentPort.postMessage({ op: "digest", id: m.id, hex: h.digest("hex") });
  } else if (m.op === "once") {
    parentPort.postMessage({ op: "digest", id: m.id, hex: createHash("md5").update(m.data).digest("hex") });
  } else if (m.op === "drop") {
    running.delete(m.id);
  }
});
`;

/** Bytes handed to the thread and not yet hashed before update() makes the caller wait. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** Small chunks are copied into a shared buffer of this size and posted together (one message, not thousands). */
const BATCH_BYTES = 1024 * 1024;

type Reply = { op: "ack"; id: number; bytes: number } | { op: "digest"; id: number; hex: string };

interface Job {
  pending: number;
  waiters: (() => void)[];
  done?: { resolve: (hex: string) => void; reject: (e: Error) => void };
}

class Md5Thread {
  private readonly worker: Worker;
  private readonly jobs = new Map<number, Job>();
  private failure?: Error;

  constructor() {
    this.worker = new Worker(THREAD_SOURCE, { eval: true, name: "crossdock-md5" });
    // Never keeps the process alive; ref'd only while a job waits on it.
    this.worker.unref();
    this.worker.on("message", (m: Reply) => this.onReply(m));
    this.worker.on("error", (e) => this.fail(e));
    this.worker.on("exit", (code) => this.fail(new Error(`MD5 thread exited with code ${code}`)));
  }

  get busy(): number {
    return this.jobs.size;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.jobs.values()) {
      job.done?.reject(error);
      for (const w of job.waiters.splice(0)) w();
    }
    this.jobs.clear();
    threads.splice(threads.indexOf(this), 1);
  }

  private onReply(m: Reply): void {
    const job = this.jobs.get(m.id);
    if (!job) return;
    if (m.op === "ack") {
      job.pending -= m.bytes;
      if (job.pending <= MAX_PENDING_BYTES) for (const w of job.waiters.splice(0)) w();
      return;
    }
    this.jobs.delete(m.id);
    this.release();
    job.done?.resolve(m.hex);
  }

  private hold(): void {
    if (this.jobs.size === 0) this.worker.ref();
  }

  private release(): void {
    if (this.jobs.size === 0) this.worker.unref();
  }

  open(id: number): void {
    if (this.failure) throw this.failure;
    this.hold();
    this.jobs.set(id, { pending: 0, waiters: [] });
  }

  /** Posts bytes to hash; resolves at once unless too much is still queued in the thread. */
  update(id: number, data: Uint8Array): Promise<void> | undefined {
    const job = this.jobs.get(id);
    if (!job) throw this.failure ?? new Error("MD5 job is not open");
    job.pending += data.length;
    // A Buffer over a SharedArrayBuffer is shared, any other is copied: either way the caller may reuse its own.
    this.worker.postMessage({ op: "update", id, data });
    if (job.pending <= MAX_PENDING_BYTES) return undefined;
    return new Promise((resolve) => job.waiters.push(resolve));
  }

  digest(id: number): Promise<string> {
    const job = this.jobs.get(id);
    if (!job) return Promise.reject(this.failure ?? new Error("MD5 job is not open"));
    return new Promise((resolve, reject) => {
      job.done = { resolve, reject };
      this.worker.postMessage({ op: "digest", id });
    });
  }

  once(id: number, data: Uint8Array): Promise<string> {
    this.open(id);
    const job = this.jobs.get(id)!;
    return new Promise((resolve, reject) => {
      job.done = { resolve, reject };
      this.worker.postMessage({ op: "once", id, data });
    });
  }

  drop(id: number): void {
    if (!this.jobs.delete(id)) return;
    this.release();
    this.worker.postMessage({ op: "drop", id });
  }
}

const threads: Md5Thread[] = [];
let nextId = 1;
let unavailable = false;

/** One thread per spare core (at least one, at most four), started on first use; the least busy takes the job. */
function pickThread(): Md5Thread | undefined {
  if (unavailable) return undefined;
  const limit = Math.min(4, Math.max(1, availableParallelism() - 1));
  try {
    if (threads.length < limit && (threads.length === 0 || threads.every((t) => t.busy > 0))) threads.push(new Md5Thread());
  } catch {
    // No worker threads here (a restricted runtime): hash inline instead.
    unavailable = true;
    return undefined;
  }
  return threads.reduce<Md5Thread | undefined>((best, t) => (!best || t.busy < best.busy ? t : best), undefined);
}

/** An MD5 over a stream, computed off the event loop (inline when no thread can be had). */
export class BackgroundMd5 {
  private readonly thread?: Md5Thread;
  private readonly id = nextId++;
  private readonly inline?: ReturnType<typeof createHash>;
  private batch?: Buffer;
  private batched = 0;

  constructor() {
    this.thread = pickThread();
    if (this.thread) this.thread.open(this.id);
    else this.inline = createHash("md5");
  }

  /** Resolves when the caller may go on (backpressure: the thread has at most 64 MiB queued). */
  async update(chunk: Uint8Array): Promise<void> {
    if (this.inline) {
      this.inline.update(chunk);
      return;
    }
    if (chunk.length >= BATCH_BYTES) {
      await this.flush();
      await this.thread!.update(this.id, chunk);
      return;
    }
    if (this.batch && this.batched + chunk.length > this.batch.length) await this.flush();
    this.batch ??= Buffer.from(new SharedArrayBuffer(BATCH_BYTES));
    this.batch.set(chunk, this.batched);
    this.batched += chunk.length;
  }

  private async flush(): Promise<void> {
    if (!this.batch || this.batched === 0) return;
    const full = this.batch.subarray(0, this.batched);
    this.batch = undefined;
    this.batched = 0;
    await this.thread!.update(this.id, full);
  }

  async digest(): Promise<string> {
    if (this.inline) return this.inline.digest("hex");
    await this.flush();
    return this.thread!.digest(this.id);
  }

  /** Forget a hash that will never be read (a failed upload). */
  discard(): void {
    this.thread?.drop(this.id);
    this.batch = undefined;
  }
}

/** MD5 of one buffer, off the event loop when a thread is available (Azure's per-block Content-MD5). */
export function md5Of(data: Uint8Array): Promise<Buffer> {
  const thread = data.length >= BATCH_BYTES ? pickThread() : undefined;
  if (!thread) return Promise.resolve(createHash("md5").update(data).digest());
  return thread.once(nextId++, data).then((hex) => Buffer.from(hex, "hex"));
}

/** A part-sized buffer the hashing thread can read without a copy. */
export function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

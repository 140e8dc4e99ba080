// MD5 of large objects on a helper thread: the event loop that drives the uploads stays free while a
// 256 MiB object is hashed (MD5 runs at ~700 MB/s, as slow as many networks). CRC32C stays inline: it is native.
//
// Buffers are transferred to the thread and back (never copied, never shared): memory is owned by one side at a
// time and freed as soon as the uploader drops it, without waiting for the helper's garbage collector.
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
    const part = m.part ? createHash("md5").update(m.data).digest("hex") : undefined;
    parentPort.postMessage({ op: "back", id: m.id, data: m.data, part }, [m.data.buffer]);
  } else if (m.op === "digest") {
    const h = running.get(m.id) ?? createHash("md5");
    running.delete(m.id);
    parentPort.postMessage({ op: "digest", id: m.id, hex: h.digest("hex") });
  } else if (m.op === "once") {
    const hex = createHash("md5").update(m.data).digest("hex");
    parentPort.postMessage({ op: "once", id: m.id, hex, data: m.data }, [m.data.buffer]);
  } else if (m.op === "drop") {
    running.delete(m.id);
  }
});
`;

/** Small chunks are copied into a staging buffer of this size and hashed together (one message, not thousands). */
const BATCH_BYTES = 1024 * 1024;
/** Staging buffers per stream: bounds what a stream has queued in the thread to 4 MiB. */
const STAGING_BUFFERS = 4;

type Reply =
  | { op: "back"; id: number; data: Uint8Array; part?: string }
  | { op: "digest"; id: number; hex: string }
  | { op: "once"; id: number; hex: string; data: Uint8Array };

interface Job {
  /** Buffers in the thread, in the order sent (the thread answers in order). */
  returns: { resolve: (back: Lent) => void; reject: (e: Error) => void }[];
  done?: { resolve: (reply: Reply) => void; reject: (e: Error) => void };
}

/** A buffer handed back by the thread, with the MD5 of that buffer alone when it was asked for. */
export interface Lent {
  data: Buffer;
  partMd5?: Buffer;
}

/** A Buffer that owns its whole ArrayBuffer can be transferred; a slice of a pool or a shared buffer cannot. */
function transferable(data: Uint8Array): data is Buffer {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
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
      for (const r of job.returns.splice(0)) r.reject(error);
    }
    this.jobs.clear();
    const at = threads.indexOf(this);
    if (at >= 0) threads.splice(at, 1);
  }

  private onReply(m: Reply): void {
    const job = this.jobs.get(m.id);
    if (!job) return;
    if (m.op === "back") {
      job.returns.shift()?.resolve({ data: asBuffer(m.data), partMd5: m.part === undefined ? undefined : Buffer.from(m.part, "hex") });
      return;
    }
    this.jobs.delete(m.id);
    if (this.jobs.size === 0) this.worker.unref();
    job.done?.resolve(m);
  }

  open(id: number): void {
    if (this.failure) throw this.failure;
    if (this.jobs.size === 0) this.worker.ref();
    this.jobs.set(id, { returns: [] });
  }

  /** Hashes `data` (transferred: do not touch it) and resolves with the same memory once hashed. */
  update(id: number, data: Buffer, part = false): Promise<Lent> {
    const job = this.jobs.get(id);
    if (!job) return Promise.reject(this.failure ?? new Error("MD5 job is not open"));
    return new Promise((resolve, reject) => {
      job.returns.push({ resolve, reject });
      this.worker.postMessage({ op: "update", id, data, part }, [data.buffer as ArrayBuffer]);
    });
  }

  digest(id: number): Promise<string> {
    const job = this.jobs.get(id);
    if (!job) return Promise.reject(this.failure ?? new Error("MD5 job is not open"));
    return new Promise<Reply>((resolve, reject) => {
      job.done = { resolve, reject };
      this.worker.postMessage({ op: "digest", id });
    }).then((m) => (m as { hex: string }).hex);
  }

  once(id: number, data: Buffer): Promise<{ md5: Buffer; data: Buffer }> {
    this.open(id);
    const job = this.jobs.get(id)!;
    return new Promise<Reply>((resolve, reject) => {
      job.done = { resolve, reject };
      this.worker.postMessage({ op: "once", id, data }, [data.buffer as ArrayBuffer]);
    }).then((m) => {
      const reply = m as Extract<Reply, { op: "once" }>;
      return { md5: Buffer.from(reply.hex, "hex"), data: asBuffer(reply.data) };
    });
  }

  drop(id: number): void {
    if (!this.jobs.delete(id)) return;
    if (this.jobs.size === 0) this.worker.unref();
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

/** An MD5 over a stream, computed off the event loop (inline when no thread can be had). Await each call in order. */
export class BackgroundMd5 {
  private readonly thread?: Md5Thread;
  private readonly id = nextId++;
  private readonly inline?: ReturnType<typeof createHash>;
  private staging?: Buffer;
  private staged = 0;
  private readonly free: Buffer[] = [];
  private stagingMade = 0;
  private readonly inThread = new Set<Promise<void>>();

  constructor() {
    this.thread = pickThread();
    if (this.thread) this.thread.open(this.id);
    else this.inline = createHash("md5");
  }

  /**
   * Hashes a buffer the caller owns and hands back the same memory once it is hashed (the caller must use the
   * returned Buffer: the one passed in is detached while the thread reads it), with that buffer's own MD5 when
   * `partMd5` is asked (Azure's per-block Content-MD5, in the same pass).
   */
  async updateOwned(data: Buffer, partMd5 = false): Promise<Lent> {
    const alone = () => (partMd5 ? createHash("md5").update(data).digest() : undefined);
    if (this.inline) {
      this.inline.update(data);
      return { data, partMd5: alone() };
    }
    await this.flush();
    if (!transferable(data)) {
      await this.update(data);
      await this.flush();
      return { data, partMd5: alone() };
    }
    return this.thread!.update(this.id, data, partMd5);
  }

  /** Hashes bytes the caller keeps (copied into a staging buffer first); waits when the thread falls behind. */
  async update(chunk: Uint8Array): Promise<void> {
    if (this.inline) {
      this.inline.update(chunk);
      return;
    }
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.staging) this.staging = await this.takeStaging();
      const n = Math.min(chunk.length - offset, this.staging.length - this.staged);
      this.staging.set(chunk.subarray(offset, offset + n), this.staged);
      this.staged += n;
      offset += n;
      if (this.staged === this.staging.length) await this.flush();
    }
  }

  private async takeStaging(): Promise<Buffer> {
    if (this.free.length > 0) return this.free.pop()!;
    if (this.stagingMade < STAGING_BUFFERS) {
      this.stagingMade++;
      return Buffer.allocUnsafeSlow(BATCH_BYTES);
    }
    await Promise.race(this.inThread);
    return this.takeStaging();
  }

  private async flush(): Promise<void> {
    const staging = this.staging;
    if (!staging) return;
    const staged = this.staged;
    this.staging = undefined;
    this.staged = 0;
    if (staged === 0) {
      this.free.push(staging);
      return;
    }
    // The staging buffer goes to the thread whole (transferable); only its first `staged` bytes are hashed.
    let sent = staging;
    if (staged < staging.length) {
      // A partly filled one (the stream's tail) goes as a copy of its own: never a slice of Node's buffer pool.
      sent = Buffer.allocUnsafeSlow(staged);
      staging.copy(sent, 0, 0, staged);
      this.free.push(staging);
    }
    const back: Promise<void> = this.thread!.update(this.id, sent).then(
      ({ data: b }) => {
        if (b.length === BATCH_BYTES) this.free.push(b);
        this.inThread.delete(back);
      },
      // The thread died: digest() reports it.
      () => {
        this.inThread.delete(back);
      },
    );
    this.inThread.add(back);
  }

  async digest(): Promise<string> {
    if (this.inline) return this.inline.digest("hex");
    await this.flush();
    return this.thread!.digest(this.id);
  }

  /** Forget a hash that will never be read (a failed upload). */
  discard(): void {
    this.thread?.drop(this.id);
    this.staging = undefined;
  }
}

/**
 * MD5 of a buffer the caller owns (Azure's per-block Content-MD5), off the event loop when a thread is available.
 * Use the returned `data`: the buffer passed in is detached while the thread reads it.
 */
export async function md5Of(data: Buffer): Promise<{ md5: Buffer; data: Buffer }> {
  const thread = data.length >= BATCH_BYTES && transferable(data) ? pickThread() : undefined;
  if (!thread) return { md5: createHash("md5").update(data).digest(), data };
  return thread.once(nextId++, data);
}

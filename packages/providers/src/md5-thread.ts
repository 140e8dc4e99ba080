// MD5 of large objects on a helper thread: the event loop that drives the uploads stays free while a
// 256 MiB object is hashed (MD5 runs at ~700 MB/s, as slow as many networks). CRC32C stays inline: it is native.
//
// Bytes are copied (memcpy, ~10x faster than MD5) into staging buffers that are transferred to the thread and back,
// never shared: a part is uploaded while its copy is hashed, memory is owned by one side at a time and freed or
// reused without waiting for the helper's garbage collector, and a stream holds at most STAGING_BUFFERS MiB there.
import { createHash, type Hash } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

// Plain CommonJS evaluated in the thread: no file to resolve, so bundlers and tsx leave it alone.
const THREAD_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const running = new Map();
const job = (id) => {
  let j = running.get(id);
  if (!j) running.set(id, (j = { whole: createHash("md5"), part: undefined }));
  return j;
};
parentPort.on("message", (m) => {
  if (m.op === "update") {
    const j = job(m.id);
    j.whole.update(m.data);
    if (j.part) j.part.update(m.data);
    parentPort.postMessage({ op: "back", id: m.id, data: m.data }, [m.data.buffer]);
  } else if (m.op === "part-begin") {
    job(m.id).part = createHash("md5");
  } else if (m.op === "part-end") {
    const j = job(m.id);
    const hex = (j.part ?? createHash("md5")).digest("hex");
    j.part = undefined;
    parentPort.postMessage({ op: "part", id: m.id, hex });
  } else if (m.op === "digest") {
    const j = job(m.id);
    running.delete(m.id);
    parentPort.postMessage({ op: "digest", id: m.id, hex: j.whole.digest("hex") });
  } else if (m.op === "drop") {
    running.delete(m.id);
  }
});
`;

/** Bytes per staging buffer (one message to the thread). */
const BATCH_BYTES = 1024 * 1024;
/** Staging buffers per stream: how far hashing may lag behind the upload (16 MiB, two default parts). */
const STAGING_BUFFERS = 16;

type Reply = { op: "back"; id: number; data: Uint8Array } | { op: "part"; id: number; hex: string } | { op: "digest"; id: number; hex: string };

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (e: Error) => void;
}

interface Job {
  /** Staging buffers in the thread, in the order sent (the thread answers in order). */
  returns: Waiter<Buffer>[];
  parts: Waiter<string>[];
  done?: Waiter<string>;
}

class Md5Thread {
  private readonly worker: Worker;
  private readonly jobs = new Map<number, Job>();
  private failure?: Error;

  constructor() {
    this.worker = new Worker(THREAD_SOURCE, { eval: true, name: "crossdock-md5" });
    // Never keeps the process alive; ref'd only while a job is open on it.
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
      for (const w of [...job.returns.splice(0), ...job.parts.splice(0)]) w.reject(error);
    }
    this.jobs.clear();
    const at = threads.indexOf(this);
    if (at >= 0) threads.splice(at, 1);
  }

  private onReply(m: Reply): void {
    const job = this.jobs.get(m.id);
    if (!job) return;
    if (m.op === "back") job.returns.shift()?.resolve(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
    else if (m.op === "part") job.parts.shift()?.resolve(m.hex);
    else {
      this.jobs.delete(m.id);
      if (this.jobs.size === 0) this.worker.unref();
      job.done?.resolve(m.hex);
    }
  }

  private job(id: number): Job {
    const job = this.jobs.get(id);
    if (!job) throw this.failure ?? new Error("MD5 job is not open");
    return job;
  }

  open(id: number): void {
    if (this.failure) throw this.failure;
    if (this.jobs.size === 0) this.worker.ref();
    this.jobs.set(id, { returns: [], parts: [] });
  }

  /** Hashes `data` (transferred: the caller must not touch it) and hands the same memory back. */
  update(id: number, data: Buffer): Promise<Buffer> {
    const job = this.job(id);
    return new Promise((resolve, reject) => {
      job.returns.push({ resolve, reject });
      this.worker.postMessage({ op: "update", id, data }, [data.buffer as ArrayBuffer]);
    });
  }

  partBegin(id: number): void {
    this.job(id);
    this.worker.postMessage({ op: "part-begin", id });
  }

  partEnd(id: number): Promise<string> {
    const job = this.job(id);
    return new Promise((resolve, reject) => {
      job.parts.push({ resolve, reject });
      this.worker.postMessage({ op: "part-end", id });
    });
  }

  digest(id: number): Promise<string> {
    const job = this.job(id);
    return new Promise((resolve, reject) => {
      job.done = { resolve, reject };
      this.worker.postMessage({ op: "digest", id });
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

/**
 * An MD5 over a stream computed off the event loop (inline when no thread can be had), optionally with the MD5
 * of each part between beginPart() and endPart() in the same pass. Await each call in order.
 */
export class BackgroundMd5 {
  private readonly thread?: Md5Thread;
  private readonly id = nextId++;
  private readonly inline?: Hash;
  private inlinePart?: Hash;
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

  /** Copies `chunk` for the thread (the caller keeps it); waits only when the thread lags 16 MiB behind. */
  async update(chunk: Uint8Array): Promise<void> {
    if (this.inline) {
      this.inline.update(chunk);
      this.inlinePart?.update(chunk);
      return;
    }
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.staging) this.staging = await this.takeStaging();
      const n = Math.min(chunk.length - offset, this.staging.length - this.staged);
      this.staging.set(chunk.subarray(offset, offset + n), this.staged);
      this.staged += n;
      offset += n;
      if (this.staged === this.staging.length) this.flush();
    }
  }

  /** The bytes updated from now until endPart() also get an MD5 of their own. */
  beginPart(): void {
    if (this.inline) this.inlinePart = createHash("md5");
    else {
      this.flush();
      this.thread!.partBegin(this.id);
    }
  }

  async endPart(): Promise<Buffer> {
    if (this.inline) {
      const digest = (this.inlinePart ?? createHash("md5")).digest();
      this.inlinePart = undefined;
      return digest;
    }
    this.flush();
    return Buffer.from(await this.thread!.partEnd(this.id), "hex");
  }

  private async takeStaging(): Promise<Buffer> {
    for (;;) {
      if (this.free.length > 0) return this.free.pop()!;
      if (this.stagingMade < STAGING_BUFFERS) {
        this.stagingMade++;
        return Buffer.allocUnsafeSlow(BATCH_BYTES);
      }
      await Promise.race(this.inThread);
    }
  }

  /** Sends the staged bytes to the thread (whole buffers go as they are; a partial one as a copy of its own). */
  private flush(): void {
    const staging = this.staging;
    if (!staging) return;
    const staged = this.staged;
    this.staging = undefined;
    this.staged = 0;
    if (staged === 0) {
      this.free.push(staging);
      return;
    }
    let sent = staging;
    if (staged < staging.length) {
      // Never a slice of Node's buffer pool: allocUnsafeSlow owns its ArrayBuffer, so it can be transferred.
      sent = Buffer.allocUnsafeSlow(staged);
      staging.copy(sent, 0, 0, staged);
      this.free.push(staging);
    }
    const back: Promise<void> = this.thread!.update(this.id, sent).then(
      (b) => {
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
    this.flush();
    return this.thread!.digest(this.id);
  }

  /** Forget a hash that will never be read (a failed upload). */
  discard(): void {
    this.thread?.drop(this.id);
    this.staging = undefined;
  }
}

/** MD5 of one buffer (Azure's per-block Content-MD5 when the uploader did not get it from the object's pass). */
export function md5Of(data: Uint8Array): Buffer {
  return createHash("md5").update(data).digest();
}

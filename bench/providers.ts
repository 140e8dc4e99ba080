// Providers benchmark: ObjectStore vs a plain loop over the raw SDK, against each emulator.
// Run: npm run bench:providers --  [--emulators=azurite,s3rver,fauxqs,firebase-storage] [--objects=2000] [--big-mib=256] [--rounds=5]
// Each figure is the median of `rounds` runs (two reads per round for big GETs); raw and ours alternate which goes first, so neither always
// meets a warmer (or busier) emulator. Both sides use the same part size and parts in flight.
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { loadavg } from "node:os";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { openObjectStoreNow, type ObjectStore } from "../packages/providers/src/index.ts";
import { AzureObjectStore } from "../packages/providers/src/azure/azure-store.ts";
import { GcsObjectStore } from "../packages/providers/src/gcs/gcs-store.ts";
import { S3ObjectStore } from "../packages/providers/src/s3/s3-store.ts";
import { startEmulators, stopEmulators, type EmulatorName, type RunningEmulator } from "../packages/providers/src/emulators/index.ts";
import { mapConcurrent } from "../packages/providers/src/parts.ts";

const MiB = 1024 * 1024;
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const names = arg("emulators", "azurite,s3rver,fauxqs,firebase-storage").split(",") as EmulatorName[];
const OBJECTS = Number(arg("objects", "2000"));
const BIG = Number(arg("big-mib", "256")) * MiB;
const SMALL = 16 * 1024;
const CONCURRENCY = 32;
const PART = 8 * MiB;
const PART_CONCURRENCY = 4;
const ROUNDS = Number(arg("rounds", "5"));
/** Reads of the big object per GET sample: one read takes ~0.3 s, too short to time alone. */
const BIG_READS = 4;
let lastStep = "start";
const step = (name: string) => {
  lastStep = name;
  process.stderr.write(`  ${name}\n`);
};
// A promise nobody can settle any more ends the process with 13: say where.
process.on("exit", (code) => code === 13 && process.stderr.write(`stuck during: ${lastStep}\n`));

interface RawOps {
  putSmall(key: string, body: Buffer): Promise<unknown>;
  getSmall(key: string): Promise<unknown>;
  putBig(key: string, body: Readable): Promise<unknown>;
  getBig(key: string): Promise<unknown>;
}

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const c of stream) n += (c as Buffer).length;
  return n;
}

/** Cheap, incompressible-enough bytes for big uploads, produced 1 MiB at a time. */
function bigStream(size: number): Readable {
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return this.push(null);
      const n = Math.min(MiB, size - sent);
      sent += n;
      this.push(n === MiB ? Buffer.from(chunk) : chunk.subarray(0, n));
    },
  });
}

function rawOps(store: ObjectStore, bucket: string): RawOps {
  if (store instanceof S3ObjectStore) {
    const c = store.client;
    return {
      putSmall: (key, body) => c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })),
      getSmall: async (key) => drain((await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable),
      putBig: (key, body) => new Upload({ client: c, params: { Bucket: bucket, Key: key, Body: body }, partSize: PART, queueSize: PART_CONCURRENCY }).done(),
      getBig: async (key) => drain((await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable),
    };
  }
  if (store instanceof AzureObjectStore) {
    const container = store.service.getContainerClient(bucket);
    return {
      putSmall: (key, body) => container.getBlockBlobClient(key).upload(body, body.length),
      getSmall: async (key) => drain((await container.getBlobClient(key).download()).readableStreamBody as Readable),
      putBig: (key, body) => container.getBlockBlobClient(key).uploadStream(body, PART, PART_CONCURRENCY),
      getBig: async (key) => drain((await container.getBlobClient(key).download()).readableStreamBody as Readable),
    };
  }
  if (store instanceof GcsObjectStore) {
    const b = store.storage.bucket(bucket);
    return {
      putSmall: (key, body) => b.file(key).save(body, { resumable: false, validation: false }),
      getSmall: (key) => drain(b.file(key).createReadStream({ validation: false })),
      putBig: (key, body) => pipeline(body, b.file(key).createWriteStream({ resumable: true, validation: false })),
      getBig: (key) => drain(b.file(key).createReadStream({ validation: false })),
    };
  }
  throw new Error(`no raw SDK baseline for ${store.provider}`);
}

function ourOps(store: ObjectStore, bucket: string): RawOps {
  return {
    putSmall: (key, body) => store.writeObject(bucket, key, body),
    getSmall: async (key) => drain((await store.readObject(bucket, key)).body),
    putBig: (key, body) => store.writeObject(bucket, key, body, { partSize: PART, concurrency: PART_CONCURRENCY }),
    getBig: async (key) => drain((await store.readObject(bucket, key)).body),
  };
}

/** CPU seconds this process (every thread: the MD5 helper too) spent in the last timed() call. */
let lastCpu = 0;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await fn();
  const used = process.cpuUsage(cpu);
  lastCpu = (used.user + used.system) / 1e6;
  return Number(process.hrtime.bigint() - started) / 1e9;
}

interface Row {
  emulator: string;
  metric: string;
  unit: string;
  raw: number;
  ours: number;
  /** Client CPU seconds per run (median), both sides. */
  rawCpu: number;
  oursCpu: number;
}

async function benchEmulator(emulator: RunningEmulator): Promise<Row[]> {
  const store = await openObjectStoreNow(emulator.config);
  const bucket = `bench-${Date.now().toString(36)}`;
  if (emulator.name !== "firebase-storage") await store.createBucket(bucket);
  const small = Buffer.alloc(SMALL, 7);
  const keys = Array.from({ length: OBJECTS }, (_, i) => `small/${String(i).padStart(5, "0")}`);
  const rows: Row[] = [];
  const sides = { raw: rawOps(store, bucket), ours: ourOps(store, bucket) } as const;
  const samples: Record<string, { raw: number[]; ours: number[]; rawCpu: number[]; oursCpu: number[] }> = {};
  const record = (metric: string, side: "raw" | "ours", value: number) => {
    samples[metric] ??= { raw: [], ours: [], rawCpu: [], oursCpu: [] };
    samples[metric][side].push(value);
    samples[metric][side === "raw" ? "rawCpu" : "oursCpu"].push(lastCpu);
  };
  // Warm up connections first.
  await mapConcurrent(keys.slice(0, 64), CONCURRENCY, (k) => sides.raw.putSmall(`warm/${k}`, small));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["raw", "ours"] as const) : (["ours", "raw"] as const);
    for (const side of order) {
      const ops = sides[side];
      step(`round ${round + 1}: ${side} small PUT/GET`);
      // Every key written twice (created, then overwritten) and read twice per sample: a sample of a second or
      // less swings with the scheduler and the emulator's own garbage collector.
      const put = await timed(() => mapConcurrent([...keys, ...keys], CONCURRENCY, (k) => ops.putSmall(`${side}/${k}`, small)));
      record(`PUT ${OBJECTS} x 16 KiB`, side, (2 * OBJECTS) / put);
      const get = await timed(() => mapConcurrent([...keys, ...keys], CONCURRENCY, (k) => ops.getSmall(`${side}/${k}`)));
      record(`GET ${OBJECTS} x 16 KiB`, side, (2 * OBJECTS) / get);
    }
    for (const side of order) {
      step(`round ${round + 1}: ${side} big PUT`);
      const bigPut = await timed(() => sides[side].putBig(`${side}/big.bin`, bigStream(BIG)));
      record(`PUT ${BIG / MiB} MiB`, side, BIG / MiB / bigPut);
    }
    // Both sides read the same object (the raw side's), in A-B-B-A order, BIG_READS reads per sample: a read then
    // measures the layer, not how the emulator laid out one side's blocks, and no sample is one scheduler hiccup
    // away from a 30% swing.
    for (const side of [...order, ...[...order].reverse()]) {
      step(`round ${round + 1}: ${side} big GET`);
      const bigGet = await timed(async () => {
        for (let read = 0; read < BIG_READS; read++) await sides[side].getBig("raw/big.bin");
      });
      record(`GET ${BIG / MiB} MiB`, side, (BIG_READS * BIG) / MiB / bigGet);
    }
    // Free the emulator's memory before the next round.
    for (const side of order) await store.deleteObject(bucket, `${side}/big.bin`).catch(() => undefined);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [metric, v] of Object.entries(samples)) {
    rows.push({ emulator: emulator.name, metric, unit: metric.includes("KiB") ? "objects/s" : "MiB/s", raw: median(v.raw), ours: median(v.ours), rawCpu: median(v.rawCpu), oursCpu: median(v.oursCpu) });
  }
  await store.close();
  return rows;
}

const rows: Row[] = [];
for (const name of names) {
  // One emulator at a time: client and server share the machine's cores.
  const [emulator] = await startEmulators([name]);
  try {
    process.stderr.write(`benchmarking ${name}...\n`);
    rows.push(...(await benchEmulator(emulator!)));
  } finally {
    await stopEmulators([emulator!]);
  }
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (n: number) => n.toFixed(1).padStart(9);
console.log(`\n${pad("emulator", 18)}${pad("metric", 24)}${pad("unit", 11)}${"raw SDK".padStart(9)}${"crossdock".padStart(11)}${"overhead".padStart(10)}${"client CPU s raw/ours".padStart(24)}`);
for (const r of rows) {
  // Overhead: how much slower ObjectStore is than the raw SDK (negative = faster).
  const overhead = ((r.raw - r.ours) / r.raw) * 100;
  console.log(`${pad(r.emulator, 18)}${pad(r.metric, 24)}${pad(r.unit, 11)}${num(r.raw)}${num(r.ours).padStart(11)}${`${overhead.toFixed(1)}%`.padStart(10)}${`${r.rawCpu.toFixed(2)} / ${r.oursCpu.toFixed(2)}`.padStart(24)}`);
}
const worst = Math.max(...rows.map((r) => ((r.raw - r.ours) / r.raw) * 100));
console.log(`\nmedian of ${ROUNDS} rounds each; load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
console.log(`worst overhead: ${worst.toFixed(1)}% (target < 10%; figures are noisy on a shared 2-core machine)`);

import { Readable, PassThrough } from "node:stream";
import { openObjectStoreNow } from "../../packages/providers/src/index.ts";
import { AzureObjectStore } from "../../packages/providers/src/azure/azure-store.ts";
import { GcsObjectStore } from "../../packages/providers/src/gcs/gcs-store.ts";
import { startEmulators, stopEmulators } from "../../packages/providers/src/emulators/index.ts";
const MiB = 1024 * 1024;
const name = process.argv[2] as "azurite" | "firebase-storage";
const [em] = await startEmulators([name]);
const store = await openObjectStoreNow(em!.config);
const bucket = "exp" + Date.now().toString(36);
if (name !== "firebase-storage") await store.createBucket(bucket);
function bigStream(size: number): Readable {
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  let sent = 0;
  return new Readable({ read() { if (sent >= size) return this.push(null); sent += MiB; this.push(Buffer.from(chunk)); } });
}
async function drain(s: AsyncIterable<unknown>) { let n = 0; for await (const c of s) n += (c as Buffer).length; return n; }
const t = async (label: string, fn: () => Promise<unknown>) => { const s = performance.now(); await fn(); console.log(label, ((256 / ((performance.now() - s) / 1000))).toFixed(0), "MiB/s"); };
const BIG = 256 * MiB;
await store.writeObject(bucket, "ours.bin", bigStream(BIG), { partSize: 8 * MiB, concurrency: 4 });
if (store instanceof AzureObjectStore) {
  const c = store.service.getContainerClient(bucket);
  await c.getBlockBlobClient("raw.bin").uploadStream(bigStream(BIG), 8 * MiB, 4);
  for (let r = 0; r < 3; r++) {
    await t("raw read raw.bin ", async () => drain((await c.getBlobClient("raw.bin").download()).readableStreamBody as Readable));
    await t("raw read ours.bin", async () => drain((await c.getBlobClient("ours.bin").download()).readableStreamBody as Readable));
    await t("ours read raw.bin", async () => drain((await store.readObject(bucket, "raw.bin")).body));
    await t("ours read ours.bin", async () => drain((await store.readObject(bucket, "ours.bin")).body));
  }
}
if (store instanceof GcsObjectStore) {
  const b = store.storage.bucket(bucket);
  for (let r = 0; r < 3; r++) {
    await t("raw read ", async () => drain(b.file("ours.bin").createReadStream({ validation: false })));
    await t("raw read nodecomp", async () => drain(b.file("ours.bin").createReadStream({ validation: false, decompress: false })));
    await t("raw via passthrough", async () => { const p = new PassThrough(); b.file("ours.bin").createReadStream({ validation: false }).pipe(p); return drain(p); });
    await t("raw via passthrough 1MiB", async () => { const p = new PassThrough({ highWaterMark: MiB }); b.file("ours.bin").createReadStream({ validation: false }).pipe(p); return drain(p); });
    await t("ours", async () => drain((await store.readObject(bucket, "ours.bin")).body));
  }
}
await store.close();
await stopEmulators([em!]);

// One data set carried around the clouds, S3 -> Azure -> GCS -> local -> S3, each hop a full migration
// (pass 0 copy + pass 1 check) verified object by object against the original bytes.
// S3 is s3rver: fauxqs lists keys in locale order (e.g. "ünï" before "with"), which the engine refuses
// (ListingOrderError), since shard ranges and the merge-join need UTF-8 byte order, as real S3 gives.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openObjectStore, type ObjectStore, type ObjectStoreConfigInput } from "@crossdock/providers";
import { startAzurite, startS3rver, startFirebaseStorage, type RunningEmulator } from "@crossdock/providers/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createAccount, createMigration, createOrganization, db, expectSameObjects, FAST_RETRY, ledger, mapConcurrent, md5, migrationRow, passCounters, TestEngine } from "./helpers.ts";

const MiB = 1024 * 1024;
const ODD_KEYS = [
  "ünïcödé/日本語/😀 emoji.txt",
  "with space/a b.txt",
  "plus+sign+",
  "amp&ersand&",
  "percent%20literal%",
  "mixed +&%=;,@$!'()~[]{}^`.txt",
  "question?and#hash",
];

interface Cloud {
  name: string;
  config: ObjectStoreConfigInput;
  store: ObjectStore;
  bucket: string;
}

let emulators: RunningEmulator[] = [];
let root: string;
let org: string;
const clouds: Record<"s3" | "azure" | "gcs" | "local", Cloud> = {} as never;
const expected = new Map<string, string>(); // relative key -> md5
let totalBytes = 0;
const run = Date.now().toString(36);

beforeAll(async () => {
  const [s3rver, azurite, firebase, dir] = await Promise.all([startS3rver(), startAzurite(), startFirebaseStorage(), mkdtemp(path.join(os.tmpdir(), "crossdock-migration-xc-"))]);
  emulators = [s3rver, azurite, firebase];
  root = dir;
  const make = (name: string, config: ObjectStoreConfigInput, bucket: string): Cloud => ({ name, config, store: openObjectStore({ ...config, retry: FAST_RETRY } as ObjectStoreConfigInput), bucket });
  clouds.s3 = make("s3", s3rver.config, `xc-s3-${run}`);
  clouds.azure = make("azure", azurite.config, `xc-azure-${run}`);
  clouds.gcs = make("gcs", firebase.config, `xc-gcs-${run}`);
  clouds.local = make("local", { provider: "local", rootDir: root }, `xc-local-${run}`);
  // The firebase emulator has no bucket API: its bucket appears on first write.
  await Promise.all([clouds.s3, clouds.azure, clouds.local].map((c) => c.store.createBucket(c.bucket)));
  await clouds.s3.store.createBucket(`${clouds.s3.bucket}-back`);
  org = await createOrganization("cross-cloud");

  // 240 small objects in 8 folders, the odd keys, an empty object and a multipart-sized one.
  const objects: { key: string; body: Buffer; contentType?: string; userMetadata?: Record<string, string> }[] = [];
  for (let i = 0; i < 240; i++) objects.push({ key: `folder-${i % 8}/object-${String(i).padStart(3, "0")}.bin`, body: bytes((i * 37) % 3000) });
  for (const key of ODD_KEYS) objects.push({ key, body: bytes(64), contentType: "text/plain; charset=utf-8", userMetadata: { origin: "s3", note: "odd" } });
  objects.push({ key: "empty/zero-bytes", body: Buffer.alloc(0) });
  objects.push({ key: "big/20mib.bin", body: bytes(20 * MiB), contentType: "application/x-test" });
  await mapConcurrent(objects, 8, (o) => clouds.s3.store.writeObject(clouds.s3.bucket, `seed/${o.key}`, o.body, { contentType: o.contentType, userMetadata: o.userMetadata }));
  for (const o of objects) {
    expected.set(o.key, md5(o.body));
    totalBytes += o.body.length;
  }
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(Object.values(clouds).map((c) => c.store.close()));
  await Promise.allSettled(emulators.map((e) => e.stop()));
  if (root) await rm(root, { recursive: true, force: true });
  await db.$disconnect();
});

async function hop(from: Cloud, fromPrefix: string, to: Cloud, toPrefix: string, toBucket = to.bucket) {
  const source = await createAccount(org, from.config);
  const dest = await createAccount(org, to.config);
  const engine = new TestEngine().account(source, from.config).account(dest, to.config);
  const id = await createMigration({ organizationId: org, source, sourceBucket: from.bucket, sourcePrefix: fromPrefix, dest, destBucket: toBucket, destPrefix: toPrefix, options: { shard: { maxObjects: 60, maxBytes: 16 * MiB }, concurrency: 8 } });
  await engine.enqueuePlan(id);
  await engine.drain(3);
  const m = await migrationRow(id);
  expect(m.lastError).toBeNull();
  expect(m.state).toBe("READY_FOR_CUTOVER");
  const count = expected.size;
  expect(await passCounters(id, 0)).toMatchObject({ planned: count, copied: count, failed: 0, copiedBytes: totalBytes });
  // The sync pass recognises every object as already there.
  expect(await passCounters(id, 1)).toMatchObject({ planned: count, copied: 0, unchanged: count, failed: 0 });
  const n = await expectSameObjects({ store: from.store, bucket: from.bucket, prefix: fromPrefix }, { store: to.store, bucket: toBucket, prefix: toPrefix }, expected);
  expect(n).toBe(count);
  // Billed exactly once per object, for exactly the source's bytes.
  expect(await ledger(id)).toEqual({ rows: count, bytes: totalBytes, distinctKeys: count });
  const failures = await db.migrationObject.count({ where: { migrationId: id, result: { not: "COPIED" } } });
  expect(failures).toBe(0);
  const big = await to.store.headObject(toBucket, `${toPrefix}big/20mib.bin`);
  expect(big.contentType).toBe("application/x-test");
  return id;
}

describe("cross-cloud migrations", () => {
  it("S3 (s3rver) -> Azure (azurite)", async () => {
    await hop(clouds.s3, "seed/", clouds.azure, "from-s3/");
    const odd = await clouds.azure.store.headObject(clouds.azure.bucket, `from-s3/${ODD_KEYS[0]}`);
    expect(odd.userMetadata).toMatchObject({ origin: "s3", note: "odd" });
  });

  it("Azure (azurite) -> GCS (firebase emulator)", async () => {
    await hop(clouds.azure, "from-s3/", clouds.gcs, "");
  });

  it("GCS (firebase emulator) -> local disk", async () => {
    await hop(clouds.gcs, "", clouds.local, "from-gcs/");
  });

  it("local disk -> S3 (s3rver)", async () => {
    await hop(clouds.local, "from-gcs/", clouds.s3, "", `${clouds.s3.bucket}-back`);
    const odd = await clouds.s3.store.headObject(`${clouds.s3.bucket}-back`, ODD_KEYS[1]!);
    expect(odd.userMetadata).toMatchObject({ origin: "s3", note: "odd" });
  });
});

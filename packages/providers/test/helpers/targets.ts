// Every implementation the conformance suite runs against, and how to reach it.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ObjectStoreConfigInput } from "../../src/config.ts";
import { startAzurite, startFauxqs, startFirebaseStorage, startS3rver, type RunningEmulator } from "../../src/emulators/emulators.ts";
import { gapFor, type GapTarget } from "../../src/emulators/known-gaps.ts";
import { openObjectStore } from "../../src/index.ts";
import type { ObjectStore } from "../../src/object-store.ts";
import { S3ObjectStore } from "../../src/s3/s3-store.ts";

export interface Harness {
  target: GapTarget;
  config: ObjectStoreConfigInput;
  store: ObjectStore;
  /** A store whose server-side copy of a 12 MiB object takes the multipart path where one exists. */
  largeCopyStore: ObjectStore;
  /** The network endpoint (emulators only). */
  endpoint?: string;
  /** A new, unique, existing bucket. */
  newBucket(label: string): Promise<string>;
  /** The same account with some settings changed. */
  open(overrides: Record<string, unknown>): ObjectStore;
  teardown(): Promise<void>;
}

const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200 };
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let counter = 0;

function uniqueBucket(label: string): string {
  return `cd-${runId}-${label}-${++counter}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 63);
}

function harness(target: GapTarget, config: ObjectStoreConfigInput, stop: () => Promise<void>, endpoint?: string): Harness {
  const open = (overrides: Record<string, unknown>) => openObjectStore({ ...config, retry: FAST_RETRY, ...overrides } as ObjectStoreConfigInput);
  const store = open({});
  const largeCopyStore =
    config.provider === "s3"
      ? new S3ObjectStore({ ...config, retry: FAST_RETRY }, { multipartCopyThreshold: 5 * 1024 * 1024, multipartCopyPartSize: 5 * 1024 * 1024 })
      : store;
  return {
    target,
    config,
    store,
    largeCopyStore,
    endpoint,
    open,
    async newBucket(label) {
      const name = uniqueBucket(label);
      // Where the emulator cannot create buckets, they appear on first write.
      if (!gapFor(target, "create-bucket")) await store.createBucket(name);
      return name;
    },
    async teardown() {
      await store.close();
      if (largeCopyStore !== store) await largeCopyStore.close();
      await stop();
    },
  };
}

function fromEmulator(target: GapTarget, start: () => Promise<RunningEmulator>): () => Promise<Harness> {
  return async () => {
    const emulator = await start();
    return harness(target, emulator.config, emulator.stop, emulator.url);
  };
}

export const TARGETS: { name: GapTarget; setup: () => Promise<Harness> }[] = [
  {
    name: "local",
    setup: async () => {
      const root = await mkdtemp(path.join(os.tmpdir(), "crossdock-local-"));
      return harness("local", { provider: "local", rootDir: root }, () => rm(root, { recursive: true, force: true }));
    },
  },
  { name: "azurite", setup: fromEmulator("azurite", startAzurite) },
  { name: "firebase-gcs", setup: fromEmulator("firebase-gcs", () => startFirebaseStorage()) },
  { name: "s3rver", setup: fromEmulator("s3rver", startS3rver) },
  { name: "fauxqs", setup: fromEmulator("fauxqs", startFauxqs) },
];

export function selectedTargets(): typeof TARGETS {
  const only = process.env.CROSSDOCK_TARGETS?.split(",").map((s) => s.trim()).filter(Boolean);
  return only ? TARGETS.filter((t) => only.includes(t.name)) : TARGETS;
}

// Start/stop each emulator in the background on 127.0.0.1, returning the account config that reaches it.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ObjectStoreConfigInput } from "../config.ts";
import { node22Binary, runnerPath, startChild, tsxLoader } from "./child.ts";

export type EmulatorName = "azurite" | "s3rver" | "fauxqs" | "firebase-storage";

export interface RunningEmulator {
  name: EmulatorName;
  /** What openObjectStore() needs to reach it. */
  config: ObjectStoreConfigInput;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Well-known azurite development account. */
export const AZURITE_ACCOUNT = {
  accountName: "devstoreaccount1",
  accountKey: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
};

export async function startAzurite(): Promise<RunningEmulator> {
  const child = await startChild<{ url: string }>("azurite", process.execPath, ["--import", tsxLoader(), runnerPath("azurite-runner.ts")]);
  const url = `${child.info.url}/${AZURITE_ACCOUNT.accountName}`;
  return { name: "azurite", url, pid: child.pid, stop: child.stop, config: { provider: "azure", ...AZURITE_ACCOUNT, endpoint: url } };
}

export async function startS3rver(): Promise<RunningEmulator> {
  const child = await startChild<{ url: string }>("s3rver", process.execPath, ["--import", tsxLoader(), runnerPath("s3rver-runner.ts")], {
    env: { NODE_OPTIONS: [process.env.NODE_OPTIONS, "--openssl-legacy-provider"].filter(Boolean).join(" ") },
  });
  return {
    name: "s3rver",
    url: child.info.url,
    pid: child.pid,
    stop: child.stop,
    config: { provider: "s3", endpoint: child.info.url, region: "us-east-1", accessKeyId: "S3RVER", secretAccessKey: "S3RVER", forcePathStyle: true },
  };
}

export async function startFauxqs(): Promise<RunningEmulator> {
  // fauxqs needs Node >= 22.5: run it under the node22 binary, which strips the runner's types natively.
  const child = await startChild<{ url: string }>("fauxqs", await node22Binary(), ["--no-warnings", runnerPath("fauxqs-runner.ts")]);
  return {
    name: "fauxqs",
    url: child.info.url,
    pid: child.pid,
    stop: child.stop,
    // fauxqs rejects requests over 11 MiB: keep parts at 8 MiB.
    config: { provider: "s3", endpoint: child.info.url, region: "us-east-1", accessKeyId: "test", secretAccessKey: "test", forcePathStyle: true, partSize: 8 * 1024 * 1024 },
  };
}

export async function startFirebaseStorage(projectId = "demo-crossdock"): Promise<RunningEmulator> {
  // The emulator keeps blobs under $TMPDIR/firebase/storage and wipes that on start/stop: give each its own.
  const tmp = mkdtempSync(path.join(os.tmpdir(), "crossdock-firebase-"));
  try {
    const child = await startChild<{ url: string }>("firebase-storage", process.execPath, ["--import", tsxLoader(), runnerPath("firebase-storage-runner.ts")], {
      env: { TMPDIR: tmp, CROSSDOCK_GCS_PROJECT: projectId, FIREBASE_CLI_EXPERIMENTS: "", NO_UPDATE_NOTIFIER: "1" },
    });
    return {
      name: "firebase-storage",
      url: child.info.url,
      pid: child.pid,
      stop: async () => {
        await child.stop();
        rmSync(tmp, { recursive: true, force: true });
      },
      config: { provider: "gcs", projectId, emulatorHost: child.info.url },
    };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

export const EMULATOR_STARTERS: Record<EmulatorName, () => Promise<RunningEmulator>> = {
  azurite: startAzurite,
  s3rver: startS3rver,
  fauxqs: startFauxqs,
  "firebase-storage": () => startFirebaseStorage(),
};

/** Starts the named emulators in parallel; if one fails, the others are stopped. */
export async function startEmulators(names: EmulatorName[] = Object.keys(EMULATOR_STARTERS) as EmulatorName[]): Promise<RunningEmulator[]> {
  const results = await Promise.allSettled(names.map((n) => EMULATOR_STARTERS[n]()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.all(results.map((r) => (r.status === "fulfilled" ? r.value.stop() : undefined)));
    throw failed.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<RunningEmulator>).value);
}

export async function stopEmulators(running: RunningEmulator[]): Promise<void> {
  await Promise.allSettled(running.map((e) => e.stop()));
}

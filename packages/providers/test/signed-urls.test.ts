// Signed read URLs: fetched with no credentials at all, they return the object; tampered or expired, they do not.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, startS3rver, stopEmulators, type RunningEmulator } from "../src/emulators/emulators.ts";
import { openObjectStore } from "../src/index.ts";

let running: RunningEmulator[] = [];
beforeAll(async () => {
  running = await Promise.all([startS3rver(), startAzurite()]);
});
afterAll(() => stopEmulators(running));

describe.each(["s3rver", "azurite"])("signed read URL on %s", (name) => {
  it("reads the object with no credentials, names the download, and refuses a tampered or expired URL", async () => {
    const store = openObjectStore(running.find((e) => e.name === name)!.config);
    const bucket = `signed-${Date.now().toString(36)}`;
    await store.createBucket(bucket);
    const key = "folder/a file+1.csv";
    await store.writeObject(bucket, key, "id,value\n1,2\n");
    const url = await store.signedReadUrl(bucket, key, { expiresInSeconds: 60, filename: "a file+1.csv" });
    expect(url).toBeTruthy();
    const response = await fetch(url!);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("id,value\n1,2\n");
    expect(response.headers.get("content-disposition")).toContain("attachment");
    const tampered = url!.replace("a%20file", "b%20file");
    expect((await fetch(tampered)).status).toBeGreaterThanOrEqual(400);
    const shortLived = await store.signedReadUrl(bucket, key, { expiresInSeconds: 1 });
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await fetch(shortLived!)).status).toBeGreaterThanOrEqual(400);
    await store.close();
  });
});

it("a local disk cannot sign: the app streams instead", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "signed-local-"));
  const store = openObjectStore({ provider: "local", rootDir: dir });
  expect(await store.signedReadUrl("b", "k", { expiresInSeconds: 60 })).toBeNull();
  await rm(dir, { recursive: true, force: true });
});

// Child process: the firebase-tools 15.34.2 Cloud Storage emulator, started through its internal modules
// (its CLI needs Java and a JAR download). Pinned: these paths are not a public API.
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { announceReady, failStartup, tetherToParent } from "./tether.ts";

const require = createRequire(import.meta.url);
const base = "firebase-tools/lib/emulator/";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

try {
  const version = (require("firebase-tools/package.json") as { version: string }).version;
  if (version !== "15.34.2") throw new Error(`firebase-tools ${version} found; this runner is pinned to 15.34.2's internal modules`);
  const { StorageEmulator } = require(`${base}storage/index.js`) as { StorageEmulator: new (args: Record<string, unknown>) => unknown };
  const { StorageRulesRuntime } = require(`${base}storage/rules/runtime.js`) as { StorageRulesRuntime: { prototype: { start(): Promise<void>; stop(): Promise<void> } } };
  const { EmulatorRegistry } = require(`${base}registry.js`) as { EmulatorRegistry: { start(e: unknown): Promise<void>; stop(name: string): Promise<void> } };
  // The rules runtime is a Java process; GCS JSON API calls never consult rules.
  StorageRulesRuntime.prototype.start = async () => {};
  StorageRulesRuntime.prototype.stop = async () => {};
  const port = await freePort();
  const projectId = process.env.CROSSDOCK_GCS_PROJECT ?? "demo-crossdock";
  await EmulatorRegistry.start(new StorageEmulator({ projectId, host: "127.0.0.1", port, rules: [] }));
  // TMPDIR is this emulator's private directory (see emulators.ts): remove it even if the parent was killed.
  const privateTmp = os.tmpdir();
  tetherToParent(async () => {
    await EmulatorRegistry.stop("storage");
    if (path.basename(privateTmp).startsWith("crossdock-firebase-")) rmSync(privateTmp, { recursive: true, force: true });
  });
  announceReady({ url: `http://127.0.0.1:${port}`, projectId });
} catch (error) {
  failStartup(error);
}

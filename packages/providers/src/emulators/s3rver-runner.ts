// Child process: s3rver on 127.0.0.1 and a free port, files under a private temp dir removed on exit.
// Needs NODE_OPTIONS=--openssl-legacy-provider (set by s3rver.ts), else paged listings answer 500.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { announceReady, failStartup, tetherToParent } from "./tether.ts";

const require = createRequire(import.meta.url);
const directory = mkdtempSync(path.join(os.tmpdir(), "crossdock-s3rver-"));
try {
  const S3rver = require("s3rver") as new (options: Record<string, unknown>) => { run(): Promise<{ port: number; address: string }> };
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, resetOnClose: true });
  const address = await server.run();
  tetherToParent(() => rmSync(directory, { recursive: true, force: true }));
  announceReady({ url: `http://127.0.0.1:${address.port}` });
} catch (error) {
  rmSync(directory, { recursive: true, force: true });
  failStartup(error);
}

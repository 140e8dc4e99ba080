// Child process: azurite's blob service, in memory, on 127.0.0.1 and a free port.
import { createRequire } from "node:module";
import { announceReady, failStartup, tetherToParent } from "./tether.ts";

interface BlobServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}

const require = createRequire(import.meta.url);
// azurite reads its configuration from argv.
process.argv = [process.argv[0]!, "azurite-blob", "--blobHost", "127.0.0.1", "--blobPort", "0", "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck", "--loose"];
try {
  const { BlobServerFactory } = require("azurite/dist/src/blob/BlobServerFactory.js") as { BlobServerFactory: new () => { createServer(): Promise<BlobServer> } };
  const server = await new BlobServerFactory().createServer();
  await server.start();
  tetherToParent(() => server.close());
  announceReady({ url: server.getHttpServerAddress() });
} catch (error) {
  failStartup(error);
}

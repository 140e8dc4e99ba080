// Child process (Node >= 22.5, type-stripped): fauxqs's S3 API, in memory, bound to 127.0.0.1 only.
// fauxqs's own start function listens on 0.0.0.0, so we build its app and listen ourselves.
import { buildApp } from "fauxqs";
import { announceReady, failStartup, tetherToParent } from "./tether.ts";

try {
  const app = buildApp({ logger: false, host: "127.0.0.1" });
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  tetherToParent(() => app.close());
  announceReady({ url: address.replace("localhost", "127.0.0.1") });
} catch (error) {
  failStartup(error);
}

// A local HTTP proxy that answers the first N requests (or all) like a throttling cloud, then forwards.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ProviderName } from "../../src/object-store.ts";

export interface ThrottleProxy {
  url: string;
  /** Requests seen, throttled or not. */
  requests: number;
  throttled: number;
  /** Throttle the next `n` requests (Infinity = all). */
  throttleNext(n: number): void;
  close(): Promise<void>;
}

function throttleResponse(provider: ProviderName, nth: number): { status: number; headers: Record<string, string>; body: string } {
  // Alternate 503 and 429 so both are proven; only the first asks for a wait.
  const status = nth % 2 === 1 ? 503 : 429;
  const headers: Record<string, string> = { "retry-after": nth === 1 ? "1" : "0" };
  if (provider === "s3") {
    headers["content-type"] = "application/xml";
    return { status, headers, body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>1</RequestId></Error>` };
  }
  if (provider === "azure") {
    headers["x-ms-error-code"] = "ServerBusy";
    headers["content-type"] = "application/xml";
    return { status, headers, body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is busy.</Message></Error>` };
  }
  headers["content-type"] = "application/json";
  return { status, headers, body: JSON.stringify({ error: { code: status, message: "The rate of requests is too high.", errors: [{ reason: "rateLimitExceeded", message: "rate" }] } }) };
}

export async function startThrottleProxy(target: string, provider: ProviderName): Promise<ThrottleProxy> {
  const upstream = new URL(target);
  let remaining = 0;
  let streak = 0;
  const state = { requests: 0, throttled: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    if (remaining > 0) {
      remaining--;
      state.throttled++;
      streak++;
      const r = throttleResponse(provider, streak);
      req.resume();
      res.writeHead(r.status, { ...r.headers, "content-length": Buffer.byteLength(r.body) });
      res.end(r.body);
      return;
    }
    streak = 0;
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get throttled() {
      return state.throttled;
    },
    throttleNext(n: number) {
      remaining = n;
      streak = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

import { readFileSync } from "node:fs";
const rss = (l: string) => console.log(l, /VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1], "KiB", "heap", Math.round(process.memoryUsage().heapUsed / 1048576), "MiB");
rss("start");
await import("@crossdock/db"); rss("db");
await import("@crossdock/providers"); rss("providers");
await import("@crossdock/migration"); rss("migration");
await import("@crossdock/storage"); rss("storage");
const { createDb } = await import("@crossdock/db");
const db = createDb(process.env.DATABASE_URL ?? "postgres://x@127.0.0.1:1/x", { max: 4 }); rss("createDb");

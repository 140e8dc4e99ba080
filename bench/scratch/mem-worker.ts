import { readFileSync } from "node:fs";
const rss = (l: string) => console.log(l.padEnd(12), /VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1], "KiB", "heap", Math.round(process.memoryUsage().heapUsed / 1048576), "MiB", "ext", Math.round(process.memoryUsage().external / 1048576));
rss("start");
for (const m of ["@crossdock/db", "@crossdock/jobs", "bullmq", "@crossdock/providers", "@crossdock/storage", "@crossdock/migration", "@crossdock/subsets", "@crossdock/enclaves", "@crossdock/billing"]) { await import(m); rss(m); }

import type { NextConfig } from "next";

const config: NextConfig = {
  transpilePackages: ["@crossdock/storage", "@crossdock/migration", "@crossdock/billing", "@crossdock/db", "@crossdock/config", "@crossdock/jobs", "@crossdock/policy", "@crossdock/providers", "@crossdock/subsets", "@crossdock/enclaves"],
  serverExternalPackages: ["@node-rs/argon2", "@node-rs/crc32", "pg", "bullmq", "ioredis", "@prisma/adapter-pg"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default config;

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "enclaves",
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

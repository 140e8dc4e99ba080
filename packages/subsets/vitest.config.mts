import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "subsets",
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});

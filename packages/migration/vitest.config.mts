import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "migration",
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // The memory test forces GCs between samples.
    execArgv: ["--expose-gc"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

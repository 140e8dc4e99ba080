import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "providers",
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // The conformance suite measures live memory: let it force a GC between samples.
    execArgv: ["--expose-gc"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});

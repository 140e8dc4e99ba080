import path from "node:path";
import { defineConfig } from "vitest/config";

const here = import.meta.dirname;
// `server-only` throws outside Next's server bundles; tests call server code directly.
const serverOnly = { "server-only": path.join(here, "scripts/lib/empty-module.mjs") };

export default defineConfig({
  test: {
    projects: [
      { test: { name: "policy", root: "packages/policy", include: ["test/**/*.test.ts"] } },
      { test: { name: "db", root: "packages/db", include: ["test/**/*.test.ts"] } },
      { test: { name: "demo", root: "packages/demo", include: ["test/**/*.test.ts"] } },
      {
        resolve: { alias: { ...serverOnly, "~": path.join(here, "apps/web/src") } },
        test: { name: "web", root: "apps/web", include: ["test/**/*.test.ts"], testTimeout: 30_000 },
      },
      { test: { name: "worker", root: "apps/worker", include: ["test/**/*.test.ts"], testTimeout: 90_000 } },
      // Packages with their own vitest config (e.g. providers, whose suite starts the cloud emulators).
      "packages/*/vitest.config.mts",
    ],
  },
});

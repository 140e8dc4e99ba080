import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

const here = path.dirname(fileURLToPath(import.meta.url));

// Prisma's CLI wants a native schema engine it would download; ours runs the same engine as WebAssembly.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(here, "schema-engine", "bin.mjs");

export default defineConfig({
  schema: path.join(here, "..", "..", "prisma", "schema.prisma"),
  migrations: { path: path.join(here, "..", "..", "prisma", "migrations") },
  datasource: {
    url: process.env.DATABASE_URL ?? "postgresql://unset@127.0.0.1:1/unset",
    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL,
  },
});

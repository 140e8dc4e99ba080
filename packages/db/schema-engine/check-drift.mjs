#!/usr/bin/env node
// Fails when prisma/schema.prisma and the committed migrations in prisma/migrations disagree: the schema was changed
// without creating a migration for it, or a migration was edited by hand.
//
//   node schema-engine/check-drift.mjs [schema.prisma]     (from packages/db; `npm run migrate:check`)
//
// It asks `prisma migrate diff` what a migration from the migrations' end state to the schema would contain. Replaying
// the migrations needs a throwaway shadow database, created on the server DATABASE_URL points at (or
// SHADOW_DATABASE_URL, when set); nothing else is written. The optional argument checks another schema file.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const root = path.resolve(packageDir, "..", "..");
const migrations = path.join(root, "prisma", "migrations");
const schema = path.resolve(process.argv[2] ?? path.join(root, "prisma", "schema.prisma"));

if (!process.env.DATABASE_URL) {
  console.error("check-drift: DATABASE_URL is not set; the migrations are replayed into a temporary database on that server.");
  console.error("Run it with services: node scripts/with-services.mjs npm run migrate:check -w @crossdock/db");
  process.exit(1);
}

// Run from this package so the CLI finds prisma.config.ts (which points it at the schema engine stand-in).
const prisma = fileURLToPath(import.meta.resolve("prisma/build/index.js"));
const diff = spawnSync(
  process.execPath,
  [prisma, "migrate", "diff", "--from-migrations", migrations, "--to-schema", schema, "--exit-code"],
  { cwd: packageDir, stdio: "inherit" },
);

const inRepo = path.relative(root, schema);
const relativeSchema = inRepo.startsWith("..") ? schema : inRepo;
switch (diff.status) {
  case 0:
    console.log(`check-drift: OK, ${relativeSchema} matches prisma/migrations.`);
    process.exit(0);
  case 2:
    console.error(
      `check-drift: FAILED, ${relativeSchema} and prisma/migrations disagree (the differences are listed above).\n` +
        "Create a migration for the schema change with `npm run db:migrate -- --name <what-changed>` and commit it,\n" +
        "or, if a committed migration was edited, restore it.",
    );
    process.exit(1);
  default:
    console.error(`check-drift: could not compare ${relativeSchema} with prisma/migrations (see the error above).`);
    process.exit(1);
}

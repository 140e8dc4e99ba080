// Benchmark scaffolding: a private database (migrated), a private Redis prefix, tenant rows, cleanup.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Redis } from "ioredis";
import { createDb, type Db } from "@crossdock/db";
import { serializeMigrationOptions, type MigrationOptionsInput } from "@crossdock/migration";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = "/postgres";
  return u.toString();
}

/** Creates database `name` on the server of `baseUrl` and applies the Prisma migrations; returns its URL. */
export async function createBenchDatabase(baseUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl(baseUrl) });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const prisma = path.join(repoRoot, "node_modules", ".bin", "prisma");
  const run = spawnSync(prisma, ["migrate", "deploy"], { cwd: path.join(repoRoot, "packages", "db"), env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`prisma migrate deploy failed:\n${run.stdout}\n${run.stderr}`);
  return url;
}

export async function dropBenchDatabase(baseUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl(baseUrl) });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

/** Deletes every key under `prefix:` (BullMQ queues, schedulers). */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export interface Tenant {
  db: Db;
  organizationId: string;
}

export async function createTenant(url: string): Promise<Tenant> {
  const db = createDb(url, { max: 4 });
  const org = await db.organization.create({ data: { name: "bench" } });
  return { db, organizationId: org.id };
}

/** A storage account row resolved through DEMO_CLOUDS_FILE (settings.demoCloud): no secret needed. */
export async function createDemoAccount(t: Tenant, id: string, provider: "s3" | "azure" | "local", demoCloud: string): Promise<string> {
  await t.db.storageAccount.create({ data: { id, organizationId: t.organizationId, name: id, provider, settings: { demoCloud } } });
  return id;
}

export async function createMigration(
  t: Tenant,
  row: { name: string; sourceAccountId: string; sourceBucket: string; sourcePrefix: string; destAccountId: string; destBucket: string; destPrefix: string },
  options: MigrationOptionsInput,
): Promise<string> {
  const m = await t.db.migration.create({ data: { organizationId: t.organizationId, ...row, options: serializeMigrationOptions(options) as object } });
  return m.id;
}

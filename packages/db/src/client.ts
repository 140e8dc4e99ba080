import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export type Db = ReturnType<typeof createDb>;

/** A Prisma client over node-postgres. Secret columns are omitted unless a query asks for them by name. */
export function createDb(connectionString: string, { max = 10 }: { max?: number } = {}) {
  const adapter = new PrismaPg({ connectionString, max });
  return new PrismaClient({ adapter, omit: { user: { passwordHash: true } } });
}

const globalForDb = globalThis as unknown as { crossdockDb?: Db };

/** The process-wide client (one pool per process; survives Next.js dev reloads). */
export function db(): Db {
  if (!globalForDb.crossdockDb) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start Crossdock with `npm start`, or see the README's Configuration section.");
    globalForDb.crossdockDb = createDb(url);
  }
  return globalForDb.crossdockDb;
}

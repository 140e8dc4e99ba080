// The PostgreSQL side of the schema engine stand-in: @prisma/adapter-pg connections for the wasm engine,
// plus the few things the native engine does on its own (create/drop a database, name a connection error's code).
import { randomUUID } from "node:crypto";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, isDriverAdapterError } from "@prisma/driver-adapter-utils";

const CHAR_OID = 18;
const TEXT_OID = 25;

/**
 * adapter-pg 7.10.1 refuses result columns of Postgres's internal one-byte `"char"` type, which the engine's
 * catalog queries select (pg_class.relkind, pg_constraint.contype, ...). Its text form is a plain string, so the
 * row description is rewritten to say `text` before the adapter sees it. This overrides a pg-internal hook
 * (pg is pinned at 8.23.1): it is the one place every query's column types pass through.
 */
class CharAsTextClient extends pg.Client {
  _handleRowDescription(msg) {
    for (const field of msg.fields) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    super._handleRowDescription(msg);
  }
}

/** Prisma URLs may name the schema to work in with `?schema=`. */
const schemaOf = (url) => new URL(url).searchParams.get("schema") ?? "public";

/** An adapter-pg connection (a pool) to the database `url` names. */
async function connect(url) {
  // The engine reads the schema from the adapter's connection info; migration scripts find it on the search_path,
  // as the native engine sets it (pg itself ignores `?schema=`).
  const schema = schemaOf(url);
  const config = { connectionString: url, Client: CharAsTextClient, options: `-c search_path=${schema}` };
  const adapter = await new PrismaPg(config, { schema }).connect();
  // adapter-pg 7.10.1 runs a script one `;`-separated piece at a time, which breaks any migration with a `;` in a
  // function body or a string literal. Send it whole, as the native engine does: Postgres's simple query protocol
  // runs all its statements, as one implicit transaction. onError turns pg's error into the adapter's.
  const pool = adapter.underlyingDriver();
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script);
    } catch (error) {
      adapter.onError(error);
    }
  };
  return adapter;
}

function withDatabase(url, database) {
  const copy = new URL(url);
  copy.pathname = `/${encodeURIComponent(database)}`;
  return copy.href;
}

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

async function execute(url, sql) {
  const connection = await connect(url);
  try {
    await connection.executeScript(sql);
  } finally {
    await connection.dispose();
  }
}

/**
 * The adapter factory the wasm engine gets. adapter-pg's own connectToShadowDb cannot be used: it connects to
 * the main database again (a connection string's database wins over the `database` it adds) and drops the
 * shadow database before closing the connections still using it.
 */
export function migrationAdapterFactory({ url, shadowDatabaseUrl }) {
  return bindMigrationAwareSqlAdapterFactory({
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => connect(url),
    async connectToShadowDb() {
      if (shadowDatabaseUrl) {
        // The native engine empties a configured shadow database before replaying migrations into it; the wasm
        // engine does not, so a second run would fail on the objects the first one left.
        const shadow = await connect(shadowDatabaseUrl);
        const schema = quoteIdent(schemaOf(shadowDatabaseUrl));
        await shadow.executeScript(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
        return shadow;
      }
      // Like the native engine: a throwaway database on the main server, dropped when the engine disposes of it.
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await execute(url, `CREATE DATABASE ${quoteIdent(name)}`);
      const shadow = await connect(withDatabase(url, name));
      const closePool = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await closePool();
        await execute(url, `DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
      };
      return shadow;
    },
  });
}

/** The Prisma error codes the native engine gives for the connector errors adapter-pg reports. */
const ERROR_CODES = {
  AuthenticationFailed: "P1000",
  DatabaseNotReachable: "P1001",
  DatabaseDoesNotExist: "P1003",
  SocketTimeout: "P1008",
  DatabaseAlreadyExists: "P1009",
  DatabaseAccessDenied: "P1010",
  TlsConnectionError: "P1011",
  ConnectionClosed: "P1017",
};

function errorCode(error) {
  return isDriverAdapterError(error) ? ERROR_CODES[error.cause.kind] : undefined;
}

/**
 * The wasm engine reports a failed connection as a bare message; the CLI needs its code (P1003 makes
 * `migrate dev` create the database), so ask the adapter what went wrong. Undefined when it connects fine.
 */
export async function connectionErrorCode(url) {
  const connection = await connect(url);
  try {
    await connection.queryRaw({ sql: "SELECT 1", args: [], argTypes: [] });
  } catch (error) {
    return errorCode(error);
  } finally {
    await connection.dispose();
  }
}

/** The native engine's `cli create-database` / `cli drop-database`, run from the server's `postgres` database. */
export async function createOrDropDatabase(url, statement) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  try {
    await execute(withDatabase(url, "postgres"), `${statement} ${quoteIdent(name)}`);
  } catch (error) {
    // adapter-pg keeps Postgres's own wording in the error's cause.
    const cause = isDriverAdapterError(error) ? error.cause : {};
    const message = cause.originalMessage ?? cause.message ?? error.message;
    throw Object.assign(new Error(message), { code: errorCode(error) });
  }
}

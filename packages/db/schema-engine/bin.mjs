#!/usr/bin/env node
// Stand-in for Prisma's native schema engine binary, which Prisma 7's CLI would download (this machine cannot).
// The CLI runs it through PRISMA_SCHEMA_ENGINE_BINARY (set in ../prisma.config.ts) exactly like the native one:
//
//   bin.mjs --datamodels schema.prisma --datasource '{"url":…,"shadowDatabaseUrl":…}'
//       JSON-RPC 2.0 on stdin/stdout, one message per line; logs are JSON lines on stderr.
//   bin.mjs --datasource '{"url":…}' cli can-connect-to-database | create-database | drop-database
//       exit code 0, or 1 with an ERROR log line carrying `error_code` on stderr (the CLI skips the first line).
//   bin.mjs --version
//
// Every call goes to the WebAssembly build of the same engine (@prisma/schema-engine-wasm), which reaches
// PostgreSQL through @prisma/adapter-pg (./postgres.mjs).
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import * as wasmBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import { connectionErrorCode, createOrDropDatabase, migrationAdapterFactory } from "./postgres.mjs";

// The package's entry point imports the .wasm file as an ES module, which Node 20 only allows behind
// --experimental-wasm-modules, so instantiate it by hand the way that entry point would.
const wasmUrl = new URL("schema_engine_bg.wasm", import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
const { instance } = await WebAssembly.instantiate(await readFile(wasmUrl), { "./schema_engine_bg.js": wasmBindings });
wasmBindings.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start();

// A Rust panic surfaces in JS as a bare "unreachable" RuntimeError; the engine's panic hook hands the real
// message to this global first (and throws a TypeError instead of panicking cleanly when it is missing).
let panicMessage = "";
globalThis.PRISMA_WASM_PANIC_REGISTRY = {
  set_message(message) {
    panicMessage = message;
  },
};

// Options the wasm engine cannot honour (--extension-types) are left out, so parseArgs rejects them loudly.
const { values: args, positionals } = parseArgs({
  options: {
    datamodels: { type: "string", multiple: true },
    datasource: { type: "string" },
    version: { type: "boolean" },
    // The wasm engine takes no such option: preview features change nothing in what it does for PostgreSQL.
    "enabled-preview-features": { type: "string" },
  },
  allowPositionals: true,
});

if (args.version) {
  process.stdout.write(`schema-engine-cli ${wasmBindings.version()}\n`);
  process.exit(0);
}

const datasource = JSON.parse(args.datasource ?? "{}");
if (!datasource.url) {
  process.stderr.write("schema engine stand-in: --datasource must be JSON with a `url`\n");
  process.exit(1);
}

/** One JSON log line on stderr, shaped like the native engine's so the CLI can read `fields`. */
function log(level, fields) {
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target: "schema_engine::logger" })}\n`);
}

/** Only Prisma's own codes are error codes to the CLI; other `code`s (Node's ENOENT, …) are not. */
const prismaErrorCode = (error) => (/^P\d{4}$/.test(error.code) ? error.code : undefined);

/** One JSON-RPC message on stdout, which carries nothing else. */
function send(message) {
  process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
}

let current; // the id of the request being answered

/**
 * A Rust panic leaves the wasm instance unusable, so report it like the native engine does (an ERROR log line,
 * exit code 101), answering the request it interrupted first.
 */
function panic(error) {
  const message = panicMessage || error.message;
  log("ERROR", { message, backtrace: error.stack });
  if (current !== undefined) send({ id: current, error: { code: 4466, message, data: { is_panic: true, message } } });
  process.exit(101);
}

// Panics in async engine code are thrown from a wasm callback, outside the promise of the call that caused them.
process.on("uncaughtException", (error) => {
  if (error instanceof WebAssembly.RuntimeError) panic(error);
  log("ERROR", { message: error.stack });
  process.exit(1);
});

log("INFO", { message: "Starting schema engine (WebAssembly stand-in)", git_hash: wasmBindings.version() });

async function openEngine() {
  const datamodels =
    args.datamodels && (await Promise.all(args.datamodels.map(async (file) => [file, await readFile(file, "utf8")])));
  try {
    return await wasmBindings.SchemaEngine.new(
      { datamodels },
      (line) => process.stderr.write(`${line.trimEnd()}\n`),
      migrationAdapterFactory(datasource),
    );
  } catch (error) {
    // The engine connects here and reports a failure only by its message: recover the code the CLI acts on.
    throw Object.assign(error, { code: await connectionErrorCode(datasource.url) });
  }
}

const cliCommands = {
  "can-connect-to-database": openEngine,
  "create-database": () => createOrDropDatabase(datasource.url, "CREATE DATABASE"),
  "drop-database": () => createOrDropDatabase(datasource.url, "DROP DATABASE"),
};

if (positionals[0] === "cli") {
  const command = Object.hasOwn(cliCommands, positionals[1]) && cliCommands[positionals[1]];
  if (!command) {
    log("ERROR", { message: `Unknown cli command: ${positionals.slice(1).join(" ")}` });
    process.exit(1);
  }
  try {
    await command();
    process.exit(0);
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) panic(error);
    log("ERROR", { message: error.message, error_code: prismaErrorCode(error) });
    process.exit(1);
  }
}

/** JSON-RPC method → engine method. The names match, except that the wasm build renamed one. */
const rpcMethods = {
  applyMigrations: "applyMigrations",
  createMigration: "createMigration",
  dbExecute: "dbExecute",
  debugPanic: "debugPanic",
  devDiagnostic: "devDiagnostic",
  diagnoseMigrationHistory: "diagnoseMigrationHistory",
  diff: "diff",
  ensureConnectionValidity: "ensureConnectionValidity",
  evaluateDataLoss: "evaluateDataLoss",
  getDatabaseVersion: "version",
  introspect: "introspect",
  introspectSql: "introspectSql",
  markMigrationApplied: "markMigrationApplied",
  markMigrationRolledBack: "markMigrationRolledBack",
  reset: "reset",
  schemaPush: "schemaPush",
};

// Like the native engine, connect on the first call rather than at startup; retry on the next call after a failure.
let engine;
function getEngine() {
  engine ??= openEngine().catch((error) => {
    engine = undefined;
    throw error;
  });
  return engine;
}

/**
 * The wasm engine's evaluateDataLoss and createMigration cannot reach a shadow database: they read the schema the
 * migrations produce from a cache that diagnoseMigrationHistory fills, keyed by the migrations applied at the time.
 * So when `migrate dev` has just applied pending migrations (a fresh database, a teammate's new migration) they fail
 * with this message. Diagnosing the now fully applied history fills the cache; the call is then retried once.
 */
const UNCACHED_MIGRATIONS_ERROR = "shadow DB must be provided through an external factory";
const readsMigrationsCache = new Set(["evaluateDataLoss", "createMigration"]);

async function callEngine(schemaEngine, method, params) {
  try {
    return await schemaEngine[rpcMethods[method]](params);
  } catch (error) {
    if (!readsMigrationsCache.has(method) || !error.message?.includes(UNCACHED_MIGRATIONS_ERROR)) throw error;
    const { migrationsList, filters } = params;
    await schemaEngine.diagnoseMigrationHistory({ migrationsList, filters, optInToShadowDatabase: true });
    return schemaEngine[rpcMethods[method]](params);
  }
}

let printRequests = 0;

async function call(method, params) {
  if (!Object.hasOwn(rpcMethods, method)) {
    throw Object.assign(new Error(`Method not found: ${method}`), { rpcCode: -32601 });
  }
  const result = await callEngine(await getEngine(), method, params);
  if (method === "diff") {
    // The native engine hands the diff to the CLI to print (a `print` request), then answers without it. The CLI
    // handles our lines in order, so the text is printed before it sees the answer; its reply needs no waiting for.
    if (result.stdout) send({ id: `print-${++printRequests}`, method: "print", params: { content: result.stdout } });
    return { ...result, stdout: null };
  }
  // Void methods answer `{}`: a response without `result` is invalid.
  return result ?? {};
}

function rpcError(error) {
  if (error.rpcCode) return { code: error.rpcCode, message: error.message };
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: { is_panic: false, message: error.message, error_code: prismaErrorCode(error) },
  };
}

async function answer(request) {
  current = request.id;
  try {
    send({ id: request.id, result: await call(request.method, request.params) });
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) panic(error);
    send({ id: request.id, error: rpcError(error) });
  }
  current = undefined;
}

// One call at a time, in arrival order: the engine is a single wasm instance.
let queue = Promise.resolve();
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (!line.trim()) return;
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    send({ id: null, error: { code: -32700, message: "Parse error" } });
    return;
  }
  // Messages without a method are the CLI's replies to our `print` requests.
  if (request.method === undefined) return;
  queue = queue.then(() => answer(request));
});
// The CLI closes stdin to stop the engine: finish what was asked, then exit (open pg pools would keep us alive).
lines.on("close", () => queue.then(() => process.exit(0)));

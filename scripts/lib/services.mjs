// PostgreSQL and Redis for `npm start` and `npm test`: the ones named by DATABASE_URL / REDIS_URL,
// or project-local instances under .data/, on loopback, that stop when this process stops.
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, readdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { run, spawnTethered, waitFor } from "./processes.mjs";
import { root } from "./paths.mjs";

// CROSSDOCK_DATA_DIR separates the service data of two checkouts (or two people) on one machine.
const dataDir = process.env.CROSSDOCK_DATA_DIR ?? path.join(root, ".data");
export const LOCAL_PG_PORT = Number(process.env.CROSSDOCK_PG_PORT ?? 54329);
export const LOCAL_REDIS_PORT = Number(process.env.CROSSDOCK_REDIS_PORT ?? 63799);

function log(message) {
  console.log(`[services] ${message}`);
}

function findPgBin() {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, "bin", "postgres"))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], "bin") : null;
}

function which(cmd) {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const candidate = path.join(dir, cmd);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

let aptUpdated = false;
/** Installs Debian packages when missing, as root only; otherwise says exactly what to run. */
export async function ensureDebianPackages(packages, why) {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !which("apt-get")) {
    throw new Error(`${why} needs the Debian package(s) ${packages.join(", ")}. Install them with: sudo apt-get install -y ${packages.join(" ")}`);
  }
  log(`${why}: installing Debian package(s) ${packages.join(", ")} with apt-get (running as root)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    await run("apt-get", ["update", "-qq"], { env, quiet: true });
    aptUpdated = true;
  }
  await run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], { env, quiet: true });
}

function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

function redisPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
    socket.once("data", (d) => (socket.destroy(), resolve(d.toString().startsWith("+PONG"))));
    socket.once("error", () => resolve(false));
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
  });
}

/** Postgres refuses to run as root: run its binaries as the `postgres` system user instead. */
function asPgUser(bin, args) {
  if (process.getuid?.() !== 0) return [bin, args];
  return ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", bin, ...args]];
}

async function startLocalPostgres() {
  let bin = findPgBin();
  if (!bin) {
    await ensureDebianPackages(["postgresql"], "A project-local PostgreSQL");
    bin = findPgBin();
    if (!bin) throw new Error("PostgreSQL binaries not found under /usr/lib/postgresql after installing them.");
  }
  const pgData = path.join(dataDir, "postgres");
  const passwordFile = path.join(dataDir, "postgres.password");
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();
  const url = `postgresql://crossdock:${encodeURIComponent(password)}@127.0.0.1:${LOCAL_PG_PORT}/crossdock`;

  if (await portAnswers(LOCAL_PG_PORT)) {
    // Reuse only this checkout's own cluster (another `npm start` of it is running); anything else is a port clash.
    const pidFile = path.join(pgData, "postmaster.pid");
    const ours = existsSync(pidFile) && readFileSync(pidFile, "utf8").split("\n")[3]?.trim() === String(LOCAL_PG_PORT);
    if (!ours) {
      throw new Error(`Port ${LOCAL_PG_PORT} is taken by another PostgreSQL, not this checkout's. Set CROSSDOCK_PG_PORT to a free port, or DATABASE_URL to use that server.`);
    }
    log(`PostgreSQL of this checkout already running on 127.0.0.1:${LOCAL_PG_PORT}: reusing it`);
    return { url, child: null };
  }

  if (!existsSync(path.join(pgData, "PG_VERSION"))) {
    log(`initialising a PostgreSQL cluster in ${path.relative(root, pgData)}`);
    mkdirSync(pgData, { recursive: true, mode: 0o700 });
    const pwfile = path.join(dataDir, ".initdb-pw");
    writeFileSync(pwfile, password, { mode: 0o600 });
    if (process.getuid?.() === 0) {
      await run("chown", ["-R", "postgres:postgres", pgData, pwfile]);
    }
    const [cmd, args] = asPgUser(path.join(bin, "initdb"), [
      "-D", pgData, "-U", "crossdock", "--pwfile", pwfile, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
    ]);
    try {
      await run(cmd, args, { quiet: true });
    } finally {
      await run("rm", ["-f", pwfile]);
    }
  }
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);

  log(`starting PostgreSQL on 127.0.0.1:${LOCAL_PG_PORT}`);
  const [cmd, args] = asPgUser(path.join(bin, "postgres"), [
    "-D", pgData, "-p", String(LOCAL_PG_PORT), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200", "-c", "fsync=on",
  ]);
  // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
  const child = spawnTethered("postgres", cmd, args, { stopSignal: "INT", quiet: true });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  await waitFor("PostgreSQL", async () => {
    if (child.exitCode !== null) throw new Error(`postgres exited: ${stderr.trim()}`);
    return portAnswers(LOCAL_PG_PORT);
  });
  await waitFor("PostgreSQL", () => canQuery(url));
  await ensureDatabase(url);
  return { url, child };
}

async function canQuery(url) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, "/postgres") });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates the database named by `url` when it does not exist yet. */
export async function ensureDatabase(url) {
  const { default: pg } = await import("pg");
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, "/postgres") });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (!rowCount) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(url) {
  const { default: pg } = await import("pg");
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, "/postgres") });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name.replaceAll('"', '""')}" with (force)`);
  } finally {
    await client.end();
  }
}

/** The data directory a Redis server reports (tells this checkout's server from another one). */
function redisDir(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => socket.write("CONFIG GET dir\r\n"));
    let reply = "";
    socket.on("data", (d) => {
      reply += d;
      const lines = reply.split("\r\n");
      if (lines.length >= 5) (socket.destroy(), resolve(lines[4]));
    });
    socket.once("error", () => resolve(null));
    socket.setTimeout(1000, () => (socket.destroy(), resolve(null)));
  });
}

async function startLocalRedis() {
  const url = `redis://127.0.0.1:${LOCAL_REDIS_PORT}`;
  const dir = path.join(dataDir, "redis");
  if (await portAnswers(LOCAL_REDIS_PORT)) {
    if ((await redisDir(LOCAL_REDIS_PORT)) !== dir) {
      throw new Error(`Port ${LOCAL_REDIS_PORT} is taken by another Redis, not this checkout's. Set CROSSDOCK_REDIS_PORT to a free port, or REDIS_URL to use that server.`);
    }
    log(`Redis of this checkout already running on 127.0.0.1:${LOCAL_REDIS_PORT}: reusing it`);
    return { url, child: null };
  }
  let bin = which("redis-server") ?? (existsSync("/usr/bin/redis-server") ? "/usr/bin/redis-server" : null);
  if (!bin) {
    await ensureDebianPackages(["redis-server"], "A project-local Redis");
    bin = "/usr/bin/redis-server";
  }
  mkdirSync(dir, { recursive: true });
  log(`starting Redis on 127.0.0.1:${LOCAL_REDIS_PORT}`);
  const child = spawnTethered(
    "redis",
    bin,
    ["--bind", "127.0.0.1", "--port", String(LOCAL_REDIS_PORT), "--dir", dir, "--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction", "--daemonize", "no", "--loglevel", "warning"],
    { quiet: true },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  await waitFor("Redis", async () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${stderr.trim()}`);
    return redisPing(LOCAL_REDIS_PORT);
  });
  return { url, child };
}

/**
 * Returns { DATABASE_URL, REDIS_URL }: the configured ones, or local instances started for this process.
 */
export async function ensureServices(env = process.env) {
  const [pg, redis] = await Promise.all([
    env.DATABASE_URL ? { url: env.DATABASE_URL, child: null } : startLocalPostgres(),
    env.REDIS_URL ? { url: env.REDIS_URL, child: null } : startLocalRedis(),
  ]);
  if (env.DATABASE_URL) log("using PostgreSQL from DATABASE_URL");
  if (env.REDIS_URL) log("using Redis from REDIS_URL");
  return { DATABASE_URL: pg.url, REDIS_URL: redis.url };
}

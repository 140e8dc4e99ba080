// `npm run credentials:rotate`: re-encrypts every stored storage credential under a new key, in one
// transaction (all or nothing), then makes the new key current in .env.local and keeps the old one
// as a previous key so a process still running with it can read what it wrote.
// With NEW_CREDENTIALS_ENCRYPTION_KEY set, that key is used (e.g. from a secrets manager); otherwise one is generated.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createDb, keyringFromEnv, rotateStorageSecrets } from "@crossdock/db";

const root = path.resolve(import.meta.dirname, "..");
const envFile = process.env.CROSSDOCK_ENV_FILE ?? path.join(root, ".env.local");

const newKey = process.env.NEW_CREDENTIALS_ENCRYPTION_KEY ?? randomBytes(32).toString("base64");
const previous = [process.env.CREDENTIALS_ENCRYPTION_KEY!, ...(process.env.CREDENTIALS_PREVIOUS_KEYS ?? "").split(",").filter(Boolean)];
const next = keyringFromEnv({ CREDENTIALS_ENCRYPTION_KEY: newKey, CREDENTIALS_PREVIOUS_KEYS: previous.join(",") });

const db = createDb(process.env.DATABASE_URL!);
const rotated = await rotateStorageSecrets(db, next);
await db.$disconnect();

const lines = existsSync(envFile) ? readFileSync(envFile, "utf8").split("\n").filter((l) => !/^(CREDENTIALS_ENCRYPTION_KEY|CREDENTIALS_PREVIOUS_KEYS)=/.test(l)) : [];
while (lines.length && lines.at(-1) === "") lines.pop();
lines.push(`CREDENTIALS_ENCRYPTION_KEY=${newKey}`, `CREDENTIALS_PREVIOUS_KEYS=${previous.join(",")}`, "");
writeFileSync(envFile, lines.join("\n"), { mode: 0o600 });
console.log(`Re-encrypted ${rotated} storage credential(s) under key ${next.current.id}; .env.local updated (restart Crossdock to use it).`);

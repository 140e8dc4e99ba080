import path from "node:path";
import { z } from "zod";

/** Every environment variable Crossdock reads, validated once at start. The README's configuration table mirrors this. */
const schema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgresql:// URL" }),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// URL" }),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/, "letters, digits, ':', '_' and '-' only").default("crossdock"),
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters (npm start generates one into .env.local)"),
  NEXTAUTH_URL: z.url().default("http://localhost:3000"),
  CREDENTIALS_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded (npm start generates one into .env.local)"),
  /** Where "Crossdock disk" storage accounts keep their objects (one folder per organization and account). */
  LOCAL_STORAGE_ROOT: z.string().min(1).default(path.resolve(".data", "local-storage")),
  /** JSON file written by `npm start` describing the running demo clouds (absent: no demo clouds). */
  DEMO_CLOUDS_FILE: z.string().optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
});

export type Env = z.infer<typeof schema>;

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Crossdock's configuration is incomplete:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee the README's Configuration section.`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>, keys?: (keyof Env)[]): Env {
  const picked = keys ? schema.pick(Object.fromEntries(keys.map((k) => [k, true])) as never) : schema;
  const result = picked.safeParse(source);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((i) => `${i.path.join(".")}: ${i.code === "invalid_type" && i.input === undefined ? "is not set" : i.message}`));
  }
  return result.data as Env;
}

let cached: Env | undefined;
/** The validated environment of this process (throws EnvError naming each missing or bad variable). */
export function env(): Env {
  return (cached ??= parseEnv(process.env));
}

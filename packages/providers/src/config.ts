// Account configuration as the web app's forms and the worker receive it: validated once, here.
import { z } from "zod";

const retrySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(20),
    baseDelayMs: z.number().int().min(0),
    maxDelayMs: z.number().int().min(0),
    maxRetryAfterMs: z.number().int().min(0),
  })
  .partial();

const common = {
  /** Default part size for large writes (bytes). */
  partSize: z.number().int().positive().optional(),
  /** Default number of parts in flight per write. */
  concurrency: z.number().int().min(1).max(64).optional(),
  retry: retrySchema.optional(),
  /** Abort a request that gets no response within this many ms. */
  requestTimeoutMs: z.number().int().positive().optional(),
};

export const s3AccountSchema = z.object({
  provider: z.literal("s3"),
  /** Omit for AWS; e.g. https://s3.eu-central-1.wasabisys.com, https://<acct>.r2.cloudflarestorage.com, http://127.0.0.1:9000. */
  endpoint: z.url().optional(),
  region: z.string().min(1).default("us-east-1"),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().min(1).optional(),
  /** Path-style URLs (http://host/bucket/key): MinIO and most emulators need it. */
  forcePathStyle: z.boolean().default(false),
  ...common,
});

export const azureAccountSchema = z
  .object({
    provider: z.literal("azure"),
    accountName: z.string().min(3).max(64).optional(),
    accountKey: z.string().min(1).optional(),
    /** e.g. https://<account>.blob.core.windows.net or azurite's http://127.0.0.1:10000/devstoreaccount1 */
    endpoint: z.url().optional(),
    connectionString: z.string().min(1).optional(),
    ...common,
  })
  .refine((c) => c.connectionString !== undefined || (c.accountName !== undefined && c.accountKey !== undefined), {
    message: "Give either a connection string, or an account name and account key",
    path: ["accountName"],
  });

const serviceAccountSchema = z.looseObject({
  type: z.string().optional(),
  project_id: z.string().optional(),
  client_email: z.string().min(1),
  private_key: z.string().min(1),
});

export const gcsAccountSchema = z.object({
  provider: z.literal("gcs"),
  projectId: z.string().min(1),
  /** Service account key: the JSON object or its text. Omit for the emulator or ambient credentials. */
  credentials: z
    .union([serviceAccountSchema, z.string().min(2)])
    .optional()
    .transform((value, ctx) => {
      if (typeof value !== "string") return value;
      try {
        return serviceAccountSchema.parse(JSON.parse(value));
      } catch {
        ctx.addIssue({ code: "custom", message: "credentials must be a service account key JSON (client_email, private_key)" });
        return z.NEVER;
      }
    }),
  /** e.g. a private endpoint https://storage-xyz.p.googleapis.com */
  apiEndpoint: z.url().optional(),
  /** Storage emulator base URL (firebase: http://127.0.0.1:9199); no authentication is sent. */
  emulatorHost: z.url().optional(),
  /** Resumable upload chunk size (multiple of 256 KiB). 0 = one streamed request (the emulator needs this). */
  resumableChunkSize: z.number().int().min(0).optional(),
  ...common,
});

export const localAccountSchema = z.object({
  provider: z.literal("local"),
  /** Directory holding one sub-directory per bucket. */
  rootDir: z.string().min(1),
  ...common,
});

export const objectStoreConfigSchema = z.discriminatedUnion("provider", [s3AccountSchema, azureAccountSchema, gcsAccountSchema, localAccountSchema]);

export type ObjectStoreConfigInput = z.input<typeof objectStoreConfigSchema>;
export type ObjectStoreConfig = z.output<typeof objectStoreConfigSchema>;
export type S3AccountConfig = z.output<typeof s3AccountSchema>;
export type AzureAccountConfig = z.output<typeof azureAccountSchema>;
export type GcsAccountConfig = z.output<typeof gcsAccountSchema>;
export type LocalAccountConfig = z.output<typeof localAccountSchema>;

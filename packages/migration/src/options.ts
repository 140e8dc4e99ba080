// MigrationOptions: what the user chose when clicking "Migrate", stored in Migration.options and validated here.
import { compileSelection, globProblem, type CompiledSelection } from "@crossdock/policy";
import { z } from "zod";

export const GiB = 1024 ** 3;

const glob = z.string().min(1).max(1024).superRefine((pattern, ctx) => {
  const problem = globProblem(pattern);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const date = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((value) => new Date(value));

export const migrationOptionsSchema = z
  .object({
    /** Globs over keys relative to the source prefix (see @crossdock/policy selection). */
    include: z.array(glob).max(100).default([]),
    exclude: z.array(glob).max(100).default([]),
    minSize: z.number().int().min(0).optional(),
    maxSize: z.number().int().min(0).optional(),
    modifiedSince: date.optional(),
    /** changed: copy when size, etag or date say the source differs; always: copy every pass; never: keep what the destination has. */
    overwrite: z.enum(["changed", "always", "never"]).default("changed"),
    /** Sync passes delete destination objects (inside the selection) that the source no longer has. */
    deleteExtraneous: z.boolean().default(false),
    preserveMetadata: z.boolean().default(true),
    /** size: sizes must agree; hash: MD5/CRC32C of what was read must equal what the destination holds. */
    verify: z.enum(["size", "hash"]).default("hash"),
    /** Bytes per second read from the source by the whole migration: all its shards on every worker together. */
    bandwidthLimitBytesPerSec: z.number().int().min(1024).optional(),
    /** Objects in flight per shard. */
    concurrency: z.number().int().min(1).max(256).default(16),
    shard: z
      .object({
        maxObjects: z.number().int().min(1).max(1_000_000).default(1000),
        maxBytes: z.number().int().min(1).default(GiB),
      })
      .prefault({}),
    /** A sync pass whose delta (objects copied + deleted) is at most this counts as caught up. */
    syncThreshold: z.number().int().min(0).default(0),
    /** Sync passes run automatically at most this many times before waiting for cutover. */
    maxAutoPasses: z.number().int().min(1).max(50).default(5),
  })
  .refine((o) => o.minSize === undefined || o.maxSize === undefined || o.minSize <= o.maxSize, {
    message: "minSize must not exceed maxSize",
    path: ["minSize"],
  });

export type MigrationOptionsInput = z.input<typeof migrationOptionsSchema>;
export type MigrationOptions = z.output<typeof migrationOptionsSchema>;

/** Reads Migration.options (JSON) back into options with every default filled in. */
export function parseMigrationOptions(json: unknown): MigrationOptions {
  return migrationOptionsSchema.parse(json ?? {});
}

/** The JSON to store in Migration.options (dates as ISO strings). */
export function serializeMigrationOptions(options: MigrationOptionsInput): Record<string, unknown> {
  const parsed = migrationOptionsSchema.parse(options);
  return JSON.parse(JSON.stringify(parsed)) as Record<string, unknown>;
}

export function selectionOf(options: MigrationOptions): CompiledSelection {
  return compileSelection({
    include: options.include,
    exclude: options.exclude,
    minSize: options.minSize,
    maxSize: options.maxSize,
    modifiedSince: options.modifiedSince,
  });
}

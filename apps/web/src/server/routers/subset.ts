import { TRPCError } from "@trpc/server";
import type { Readable } from "node:stream";
import { z } from "zod";
import { recordAudit } from "@crossdock/db";
import { enqueueJob } from "@crossdock/jobs";
import {
  countMatching, createSubset, createVersion, definitionSchema, fileKind, previewObject, privacyReport, reviewSubset, verifyManifest, versionDefinition,
  type SignedManifest,
} from "@crossdock/subsets";
import { orgProcedure, router } from "../trpc";
import { jobQueue } from "../redis";
import { openAccountStore } from "../services/storage-accounts";
import { findAccount, findSubset, subsetCall, withSource } from "../services/subsets";

const id = z.string().min(1).max(64);
const name = z.string().trim().min(1, "Name the subset.").max(100);
const key = z.string().min(1).max(1024);
const destination = z.object({
  accountId: id,
  bucket: z.string().trim().min(1, "Choose a bucket.").max(255),
  prefix: z.string().trim().max(1024).default("").transform((p) => (p === "" || p.endsWith("/") ? p : `${p}/`)),
});

/** What the editor shows of a stored version (never the secret: it stays sealed on the subset row). */
function versionView(v: { id: string; number: number; createdAt: Date; note: string } & Parameters<typeof versionDefinition>[0]) {
  return { id: v.id, number: v.number, createdAt: v.createdAt, note: v.note, definition: versionDefinition(v) };
}

function materializationView(m: {
  id: string; state: string; versionId: string; destBucket: string; destPrefix: string; plannedObjects: number; plannedBytes: bigint; doneObjects: number; doneBytes: bigint;
  skippedObjects: number; manifestKey: string | null; manifestSha256: string | null; error: string | null; errorKind: string | null; errorKey: string | null; createdAt: Date; finishedAt: Date | null;
  version: { number: number }; destAccount: { name: string; provider: string };
}) {
  const planned = Number(m.plannedBytes);
  return {
    id: m.id, state: m.state, versionId: m.versionId, versionNumber: m.version.number,
    destination: { account: m.destAccount.name, provider: m.destAccount.provider, bucket: m.destBucket, prefix: m.destPrefix },
    plannedObjects: m.plannedObjects, plannedBytes: planned, doneObjects: m.doneObjects, doneBytes: Number(m.doneBytes), skippedObjects: m.skippedObjects,
    percent: m.state === "SUCCEEDED" ? 100 : planned > 0 ? Math.min(99, Math.floor((Number(m.doneBytes) / planned) * 100)) : 0,
    manifestKey: m.manifestKey, manifestSha256: m.manifestSha256, error: m.error, errorKind: m.errorKind, errorKey: m.errorKey, createdAt: m.createdAt, finishedAt: m.finishedAt,
  };
}

const runInclude = { version: { select: { number: true } }, destAccount: { select: { name: true, provider: true } } } as const;

export const subsetRouter = router({
  list: orgProcedure("VIEWER").query(async ({ ctx }) => {
    const subsets = await ctx.tenant.subsets.findMany({ orderBy: { createdAt: "desc" }, take: 200 });
    const latest = await ctx.tenant.subsetVersions.findMany({
      where: { OR: subsets.map((s) => ({ subsetId: s.id, number: s.latestVersion })) },
      include: { sourceAccount: { select: { name: true } } },
    });
    const runs = await ctx.tenant.subsetMaterializations.findMany({ where: { subsetId: { in: subsets.map((s) => s.id) } }, orderBy: { createdAt: "desc" }, distinct: ["subsetId"] });
    return subsets.map((s) => {
      const v = latest.find((x) => x.subsetId === s.id);
      const run = runs.find((r) => r.subsetId === s.id);
      return {
        id: s.id, name: s.name, description: s.description, latestVersion: s.latestVersion, createdAt: s.createdAt, updatedAt: s.updatedAt,
        source: v ? `${v.sourceAccount.name}: ${v.sourceBucket}/${v.prefixes.join(", ")}` : "",
        lastRun: run ? { state: run.state, createdAt: run.createdAt } : null,
      };
    });
  }),

  get: orgProcedure("VIEWER")
    .input(z.object({ id, version: z.number().int().min(1).optional() }))
    .query(async ({ ctx, input }) => {
      const subset = await findSubset(ctx.tenant, input.id);
      const versions = await ctx.tenant.subsetVersions.findMany({ where: { subsetId: subset.id }, orderBy: { number: "desc" } });
      const chosen = versions.find((v) => v.number === (input.version ?? subset.latestVersion));
      if (!chosen) throw new TRPCError({ code: "NOT_FOUND", message: "The subset has no such version." });
      const runs = await ctx.tenant.subsetMaterializations.findMany({ where: { subsetId: subset.id }, orderBy: { createdAt: "desc" }, take: 20, include: runInclude });
      return {
        id: subset.id, name: subset.name, description: subset.description, latestVersion: subset.latestVersion, createdAt: subset.createdAt,
        versions: versions.map((v) => ({ id: v.id, number: v.number, createdAt: v.createdAt, note: v.note })),
        version: versionView(chosen),
        materializations: runs.map(materializationView),
      };
    }),

  create: orgProcedure("MEMBER")
    .input(z.object({ name, description: z.string().max(2000).default(""), definition: definitionSchema }))
    .mutation(async ({ ctx, input }) => {
      if (await ctx.tenant.subsets.findFirst({ where: { name: input.name } })) throw new TRPCError({ code: "CONFLICT", message: `A subset named "${input.name}" already exists.` });
      const { subset, version } = await subsetCall(() => createSubset(ctx.tenant, { name: input.name, description: input.description, definition: input.definition, createdById: ctx.userId }));
      await recordAudit(ctx.tenant, { actorId: ctx.userId, action: "subset.created", targetType: "Subset", targetId: subset.id, ip: ctx.ip, details: { name: subset.name, version: version.number } });
      return { id: subset.id, version: version.number };
    }),

  /** Saves the editor's draft as the next version; earlier versions (and what they produced) stay as they were. */
  saveVersion: orgProcedure("MEMBER")
    .input(z.object({ id, definition: definitionSchema }))
    .mutation(async ({ ctx, input }) => {
      const version = await subsetCall(() => createVersion(ctx.tenant, input.id, input.definition, ctx.userId));
      await recordAudit(ctx.tenant, { actorId: ctx.userId, action: "subset.versioned", targetType: "Subset", targetId: input.id, ip: ctx.ip, details: { version: version.number } });
      return { id: input.id, version: version.number };
    }),

  /** The editor's live count: objects and bytes the draft selection matches, by file kind. */
  count: orgProcedure("VIEWER")
    .input(z.object({ definition: definitionSchema }))
    .query(async ({ ctx, input }) => {
      const account = await findAccount(ctx.tenant, input.definition.sourceAccountId);
      const store = openAccountStore(account);
      try {
        return await subsetCall(() => countMatching(store, input.definition, { budgetMs: 15_000, limit: 200_000 }));
      } finally {
        await store.close();
      }
    }),

  /** Identifier-looking fields in a sample of the matched files, the Safe Harbor table, and what blocks materializing. */
  review: orgProcedure("VIEWER")
    .input(z.object({ definition: definitionSchema }))
    .query(async ({ ctx, input }) => {
      const account = await findAccount(ctx.tenant, input.definition.sourceAccountId);
      const store = openAccountStore(account);
      try {
        return await subsetCall(() => reviewSubset(store, input.definition));
      } finally {
        await store.close();
      }
    }),

  /** The first records of one matched file before and after the draft rules, under the subset's own secret. */
  preview: orgProcedure("VIEWER")
    .input(z.object({ id, definition: definitionSchema, key }))
    .query(({ ctx, input }) =>
      withSource(ctx.tenant, input.id, input.definition.sourceAccountId, (store, secret) => previewObject(store, input.definition.sourceBucket, input.key, input.definition.rules, secret)),
    ),

  /** k-anonymity of one transformed table over the quasi-identifiers the user marked. */
  privacy: orgProcedure("VIEWER")
    .input(z.object({ id, definition: definitionSchema, key }))
    .query(({ ctx, input }) => {
      const kind = fileKind(input.key);
      if (kind !== "csv" && kind !== "tsv") throw new TRPCError({ code: "BAD_REQUEST", message: "Choose a CSV or TSV table for the privacy report." });
      return withSource(ctx.tenant, input.id, input.definition.sourceAccountId, (store, secret) =>
        privacyReport(store, input.definition.sourceBucket, input.key, input.definition.rules, secret, { quasiIdentifiers: input.definition.quasiIdentifiers, threshold: input.definition.kThreshold }),
      );
    }),

  /** Queues a worker job writing one version (the latest by default) into a bucket of any of the organization's accounts. */
  materialize: orgProcedure("MEMBER")
    .input(z.object({ id, version: z.number().int().min(1).optional(), destination }))
    .mutation(async ({ ctx, input }) => {
      const subset = await findSubset(ctx.tenant, input.id);
      const version = await ctx.tenant.subsetVersions.findFirst({ where: { subsetId: subset.id, number: input.version ?? subset.latestVersion } });
      if (!version) throw new TRPCError({ code: "NOT_FOUND", message: "The subset has no such version." });
      const dest = await findAccount(ctx.tenant, input.destination.accountId);
      const { bucket, prefix } = input.destination;
      if (dest.id === version.sourceAccountId && bucket === version.sourceBucket) {
        throw new TRPCError({ code: "BAD_REQUEST", message: "Write the subset to another bucket than its source: de-identified and identified data should not sit side by side." });
      }
      const definition = versionDefinition(version);
      // Refuse now, with the fields named, rather than in a worker a minute later.
      const sourceAccount = await findAccount(ctx.tenant, version.sourceAccountId);
      const source = openAccountStore(sourceAccount);
      const destStore = openAccountStore(dest);
      try {
        const review = await subsetCall(() => reviewSubset(source, definition));
        if (review.flagged.length > 0) {
          throw new TRPCError({ code: "PRECONDITION_FAILED", message: `Identifier-looking fields have no rule: ${[...new Set(review.flagged.map((f) => f.field))].join(", ")}. Add rules or acknowledge them, then save a new version.` });
        }
        await subsetCall(async () => {
          for await (const _ of destStore.listObjects(bucket, { pageSize: 1 })) break;
        });
      } finally {
        await Promise.all([source.close(), destStore.close()]);
      }
      const run = await ctx.tenant.subsetMaterializations.create({
        data: { organizationId: ctx.tenant.organizationId, subsetId: subset.id, versionId: version.id, destAccountId: dest.id, destBucket: bucket, destPrefix: prefix, createdById: ctx.userId },
      });
      const job = await enqueueJob({ queue: jobQueue(), tenant: ctx.tenant, kind: "subset.materialize", payload: { materializationId: run.id }, requestedById: ctx.userId, ip: ctx.ip });
      await ctx.tenant.subsetMaterializations.update({ where: { id: run.id }, data: { jobRunId: job.id } });
      await recordAudit(ctx.tenant, {
        actorId: ctx.userId, action: "subset.materialize", targetType: "Subset", targetId: subset.id, ip: ctx.ip,
        details: { version: version.number, materializationId: run.id, destination: `${dest.name}: ${bucket}/${prefix}` },
      });
      return { id: run.id, jobRunId: job.id };
    }),

  materialization: orgProcedure("VIEWER")
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => {
      const run = await ctx.tenant.subsetMaterializations.findUnique({ where: { id: input.id }, include: runInclude });
      if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "No materialization with that id in this organization." });
      return materializationView(run);
    }),

  /** The run's manifest as written to the destination, and whether its signature checks out. */
  manifest: orgProcedure("VIEWER")
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => {
      const run = await ctx.tenant.subsetMaterializations.findUnique({ where: { id: input.id }, include: { destAccount: true } });
      if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "No materialization with that id in this organization." });
      if (!run.manifestKey) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This run has no manifest yet." });
      const store = openAccountStore(run.destAccount);
      try {
        const text = await subsetCall(async () => {
          const read = await store.readObject(run.destBucket, run.manifestKey!);
          const chunks: Buffer[] = [];
          for await (const chunk of read.body as Readable) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks).toString("utf8");
        });
        const manifest = JSON.parse(text) as SignedManifest;
        return { key: run.manifestKey, text, manifest, verified: verifyManifest(manifest), location: `${run.destAccount.name}: ${run.destBucket}/${run.manifestKey}` };
      } finally {
        await store.close();
      }
    }),
});


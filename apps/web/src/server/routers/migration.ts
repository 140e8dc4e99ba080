import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { db, recordAudit, type TenantDb } from "@crossdock/db";
import {
  cancelMigration, dryRun, migrationOptionsSchema, migrationProgress, pauseMigration, requestCutover, resumeMigration, retryFailed, serializeMigrationOptions,
} from "@crossdock/migration";
import { orgProcedure, router } from "../trpc";
import { command, egressPrices, engineDeps, findMigration } from "../services/migrations";
import { openAccountStore, toTRPCError } from "../services/storage-accounts";

const id = z.string().min(1).max(64);
const endpoint = z.object({ accountId: id, bucket: z.string().trim().min(1, "Choose a bucket.").max(255), prefix: z.string().max(1024).default("") });
const plan = z.object({ source: endpoint, destination: endpoint, options: migrationOptionsSchema });

async function accounts(tenant: TenantDb, source: z.infer<typeof endpoint>, destination: z.infer<typeof endpoint>) {
  const [src, dst] = await Promise.all([source.accountId, destination.accountId].map((accountId) => tenant.storageAccounts.findUnique({ where: { id: accountId } })));
  if (!src || !dst) throw new TRPCError({ code: "NOT_FOUND", message: "No storage account with that id in this organization." });
  if (src.id === dst.id && source.bucket === destination.bucket) {
    const a = source.prefix;
    const b = destination.prefix;
    if (a.startsWith(b) || b.startsWith(a)) throw new TRPCError({ code: "BAD_REQUEST", message: "Source and destination overlap: choose another bucket or a prefix outside the source." });
  }
  return { src, dst };
}

const settingsRegion = (settings: unknown) => (settings as { region?: string }).region;

export const migrationRouter = router({
  list: orgProcedure("VIEWER").query(async ({ ctx }) => {
    const rows = await ctx.tenant.migrations.findMany({ orderBy: { createdAt: "desc" }, take: 100, include: { sourceAccount: { select: { name: true } }, destAccount: { select: { name: true } } } });
    return rows.map((m) => ({
      id: m.id, name: m.name, state: m.state, paused: m.paused, pass: m.pass, createdAt: m.createdAt, completedAt: m.completedAt,
      source: `${m.sourceAccount.name}: ${m.sourceBucket}/${m.sourcePrefix}`, destination: `${m.destAccount.name}: ${m.destBucket}/${m.destPrefix}`,
      plannedObjects: Number(m.plannedObjects), plannedBytes: Number(m.plannedBytes),
    }));
  }),

  get: orgProcedure("VIEWER")
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => {
      const m = await findMigration(ctx.tenant, input.id);
      const progress = await migrationProgress(db(), ctx.tenant.organizationId, m.id);
      return {
        id: m.id, name: m.name, state: m.state, paused: m.paused, createdAt: m.createdAt, startedAt: m.startedAt, completedAt: m.completedAt,
        source: { account: m.sourceAccount.name, provider: m.sourceAccount.provider, bucket: m.sourceBucket, prefix: m.sourcePrefix },
        destination: { account: m.destAccount.name, provider: m.destAccount.provider, bucket: m.destBucket, prefix: m.destPrefix },
        options: m.options,
        progress,
      };
    }),

  /** What Migrate would copy: objects, bytes, egress cost and duration estimates (the source is listed, nothing is written). */
  dryRun: orgProcedure("MEMBER")
    .input(plan)
    .mutation(async ({ ctx, input }) => {
      const { src, dst } = await accounts(ctx.tenant, input.source, input.destination);
      const store = openAccountStore(src);
      try {
        return await dryRun(store, {
          sourceBucket: input.source.bucket, sourcePrefix: input.source.prefix, sourceRegion: settingsRegion(src.settings),
          destProvider: dst.provider, destRegion: settingsRegion(dst.settings), options: input.options,
        }, (await egressPrices(ctx.tenant.organizationId)).prices);
      } catch (error) {
        return toTRPCError(error);
      } finally {
        await store.close();
      }
    }),

  create: orgProcedure("MEMBER")
    .input(plan.extend({ name: z.string().trim().min(1, "Name the migration.").max(100) }))
    .mutation(async ({ ctx, input }) => {
      const { src, dst } = await accounts(ctx.tenant, input.source, input.destination);
      // Fail now, with the provider's reason, rather than in a worker a minute later.
      for (const [account, bucket] of [[src, input.source.bucket], [dst, input.destination.bucket]] as const) {
        const store = openAccountStore(account);
        try {
          for await (const _ of store.listObjects(bucket, { pageSize: 1 })) break;
        } catch (error) {
          toTRPCError(error);
        } finally {
          await store.close();
        }
      }
      const migration = await ctx.tenant.migrations.create({
        data: {
          organizationId: ctx.tenant.organizationId, name: input.name, createdById: ctx.userId,
          sourceAccountId: src.id, sourceBucket: input.source.bucket, sourcePrefix: input.source.prefix,
          destAccountId: dst.id, destBucket: input.destination.bucket, destPrefix: input.destination.prefix,
          options: serializeMigrationOptions(input.options) as never, state: "PLANNING", startedAt: new Date(),
        },
      });
      await recordAudit(ctx.tenant, { actorId: ctx.userId, action: "migration.created", targetType: "Migration", targetId: migration.id, ip: ctx.ip, details: { name: input.name, source: src.name, destination: dst.name } });
      await engineDeps().enqueuePlan(migration.id);
      return { id: migration.id };
    }),

  pause: orgProcedure("MEMBER").input(z.object({ id })).mutation(async ({ ctx, input }) => {
    await command(() => pauseMigration(engineDeps(), ctx.tenant.organizationId, input.id));
    await recordAudit(ctx.tenant, { actorId: ctx.userId, action: "migration.paused", targetType: "Migration", targetId: input.id, ip: ctx.ip });
    return { ok: true };
  }),
  resume: orgProcedure("MEMBER").input(z.object({ id })).mutation(async ({ ctx, input }) => {
    await command(() => resumeMigration(engineDeps(), ctx.tenant.organizationId, input.id));
    await recordAudit(ctx.tenant, { actorId: ctx.userId, action: "migration.resumed", targetType: "Migration", targetId: input.id, ip: ctx.ip });
    return { ok: true };
  }),
  cancel: orgProcedure("MEMBER").input(z.object({ id })).mutation(async ({ ctx, input }) => {
    await command(() => cancelMigration(engineDeps(), ctx.tenant.organizationId, input.id));
    await recordAudit(ctx.tenant, { actorId: ctx.userId, action: "migration.cancelled", targetType: "Migration", targetId: input.id, ip: ctx.ip });
    return { ok: true };
  }),
  /** Retries failed shards, or (when caught up) runs another sync pass. */
  retry: orgProcedure("MEMBER").input(z.object({ id })).mutation(async ({ ctx, input }) => {
    await command(() => retryFailed(engineDeps(), ctx.tenant.organizationId, input.id));
    await recordAudit(ctx.tenant, { actorId: ctx.userId, action: "migration.sync_requested", targetType: "Migration", targetId: input.id, ip: ctx.ip });
    return { ok: true };
  }),
  cutover: orgProcedure("MEMBER").input(z.object({ id })).mutation(async ({ ctx, input }) => {
    await command(() => requestCutover(engineDeps(), ctx.tenant.organizationId, input.id));
    await recordAudit(ctx.tenant, { actorId: ctx.userId, action: "migration.cutover_requested", targetType: "Migration", targetId: input.id, ip: ctx.ip });
    return { ok: true };
  }),
});

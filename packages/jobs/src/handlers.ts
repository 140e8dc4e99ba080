// What each job does, as plain functions over the database: the worker only wires them to BullMQ,
// and tests can call them without Redis. Every handler is idempotent: a retried or resumed job
// (after a crash or SIGKILL) finds the work it already did and does not repeat it.
import { UnrecoverableError } from "bullmq";
import { forTenant, type Db, type Prisma } from "@crossdock/db";
import { openAccountStore } from "@crossdock/storage";
import { materializeSubset, SubsetError } from "@crossdock/subsets";
import { jobPayloads, type JobData } from "./definitions.ts";

export interface JobContext {
  db: Db;
  progress(percent: number): Promise<void>;
}

const NOTIFICATION_RETENTION_DAYS = 90;

const handlers = {
  async "organization.welcome"(ctx: JobContext, data: JobData, input: Record<string, unknown>) {
    const { userId } = jobPayloads["organization.welcome"].parse(input);
    const tenant = forTenant(ctx.db, data.organizationId);
    const org = await ctx.db.organization.findUniqueOrThrow({ where: { id: data.organizationId } });
    // The notification's id is the run's id: a second attempt finds it instead of adding another.
    await tenant.notifications.upsert({
      where: { id: data.runId },
      create: {
        id: data.runId,
        organizationId: data.organizationId,
        userId,
        title: `Welcome to ${org.name}`,
        body: "Your organization is ready. Invite your team from Members, then add storage accounts to browse and migrate data.",
      },
      update: {},
    });
    return { notificationId: data.runId };
  },

  async "maintenance.sweep"(ctx: JobContext, data: JobData, input: Record<string, unknown>) {
    const { steps, stepMs } = jobPayloads["maintenance.sweep"].parse(input);
    const tenant = forTenant(ctx.db, data.organizationId);
    const now = new Date();
    const stale = new Date(now.getTime() - NOTIFICATION_RETENTION_DAYS * 86_400_000);
    const [expiredInvitations, pendingInvitations, members, purged] = await Promise.all([
      tenant.invitations.count({ where: { acceptedAt: null, revokedAt: null, expiresAt: { lte: now } } }),
      tenant.invitations.count({ where: { acceptedAt: null, revokedAt: null, expiresAt: { gt: now } } }),
      tenant.memberships.count(),
      tenant.notifications.deleteMany({ where: { createdAt: { lt: stale } } }),
    ]);
    for (let step = 1; step <= steps; step++) {
      if (stepMs) await new Promise((r) => setTimeout(r, stepMs));
      await ctx.progress(Math.round((step / steps) * 100));
    }
    return { members, pendingInvitations, expiredInvitations, notificationsPurged: purged.count, steps };
  },

  async "subset.materialize"(ctx: JobContext, data: JobData, input: Record<string, unknown>) {
    const { materializationId } = jobPayloads["subset.materialize"].parse(input);
    const tenant = forTenant(ctx.db, data.organizationId);
    const run = await tenant.subsetMaterializations.findUnique({ where: { id: materializationId }, include: { destAccount: true } });
    if (!run) throw new SubsetError("NotFound", "The materialization no longer exists.");
    // Workers are patient with providers: a throttled store is retried, not failed.
    const store = openAccountStore(run.destAccount, { retry: { maxAttempts: 6 } });
    try {
      const result = await materializeSubset({
        tenant,
        subsetVersionId: run.versionId,
        materializationId,
        destination: { accountId: run.destAccountId, store, bucket: run.destBucket, prefix: run.destPrefix },
        onProgress: (p) => ctx.progress(p.plannedBytes > 0 ? Math.min(99, Math.floor((p.doneBytes / p.plannedBytes) * 100)) : 0),
      });
      await ctx.progress(100);
      return { materializationId, manifestKey: result.manifestKey, manifestSha256: result.manifestSha256, objects: result.objects, bytes: result.bytes, skippedObjects: result.skippedObjects };
    } finally {
      await store.close();
    }
  },
} satisfies Record<JobData["kind"], (ctx: JobContext, data: JobData, input: Record<string, unknown>) => Promise<Prisma.InputJsonValue>>;

/**
 * Runs one attempt of a job and records its outcome on the JobRun row. A run already SUCCEEDED is not
 * run again (the job was redelivered after its result was written).
 */
export async function runJob(ctx: JobContext, data: JobData, attempt: number, finalAttempt: boolean) {
  const tenant = forTenant(ctx.db, data.organizationId);
  const run = await tenant.jobRuns.findUnique({ where: { id: data.runId } });
  if (!run) return { skipped: "run no longer exists" };
  if (run.status === "SUCCEEDED") return run.result;
  await tenant.jobRuns.update({
    where: { id: run.id },
    data: { status: "RUNNING", attempts: attempt, startedAt: run.startedAt ?? new Date(), error: null },
  });
  try {
    const result = await handlers[data.kind](ctx, data, (run.input ?? {}) as Record<string, unknown>);
    await tenant.jobRuns.update({ where: { id: run.id }, data: { status: "SUCCEEDED", result, finishedAt: new Date() } });
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A data error (a malformed file, a flagged identifier) fails the same way every time: no retries.
    const unrecoverable = error instanceof SubsetError && error.final;
    await tenant.jobRuns.update({
      where: { id: run.id },
      data: finalAttempt || unrecoverable ? { status: "FAILED", error: message, finishedAt: new Date() } : { status: "QUEUED", error: message },
    });
    throw unrecoverable ? new UnrecoverableError(message) : error;
  }
}

import { z } from "zod";
import { enqueueJob } from "@crossdock/jobs";
import { orgProcedure, router } from "../trpc";
import { jobQueue } from "../redis";

export const jobRouter = router({
  list: orgProcedure("VIEWER").query(async ({ ctx }) => {
    const runs = await ctx.tenant.jobRuns.findMany({ orderBy: { createdAt: "desc" }, take: 50, include: { requestedBy: { select: { name: true } } } });
    return runs.map((r) => ({ id: r.id, kind: r.kind, status: r.status, attempts: r.attempts, result: r.result, error: r.error, createdAt: r.createdAt, finishedAt: r.finishedAt, requestedBy: r.requestedBy?.name ?? "Crossdock" }));
  }),

  get: orgProcedure("VIEWER")
    .input(z.object({ id: z.string().min(1).max(64) }))
    .query(async ({ ctx, input }) => {
      const run = await ctx.tenant.jobRuns.findUnique({ where: { id: input.id } });
      if (!run) return null;
      const job = await jobQueue().getJob(run.id);
      return { ...run, progress: typeof job?.progress === "number" ? job.progress : run.status === "SUCCEEDED" ? 100 : 0 };
    }),

  runMaintenance: orgProcedure("ADMIN")
    .input(z.object({ steps: z.number().int().min(1).max(600).default(1), stepMs: z.number().int().min(0).max(10_000).default(0) }).default({ steps: 1, stepMs: 0 }))
    .mutation(async ({ ctx, input }) => {
      const run = await enqueueJob({ queue: jobQueue(), tenant: ctx.tenant, kind: "maintenance.sweep", payload: input, requestedById: ctx.userId, ip: ctx.ip });
      return { id: run.id };
    }),
});

export const notificationRouter = router({
  list: orgProcedure("VIEWER").query(({ ctx }) =>
    ctx.tenant.notifications.findMany({ where: { OR: [{ userId: null }, { userId: ctx.userId }] }, orderBy: { createdAt: "desc" }, take: 20 }),
  ),
});

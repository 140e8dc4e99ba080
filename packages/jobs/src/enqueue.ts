import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { recordAudit, type TenantDb } from "@crossdock/db";
import { QUEUE_NAME, jobPayloads, type JobData, type JobKind, type JobPayload } from "./definitions.ts";

export function createQueue(connection: Redis, prefix: string) {
  return new Queue<JobData>(QUEUE_NAME, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 3,
      backoff: { type: "exponential", delay: 2_000 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

export interface EnqueueOptions<K extends JobKind> {
  queue: Queue<JobData>;
  tenant: TenantDb;
  kind: K;
  payload: JobPayload<K>;
  requestedById: string | null;
  ip?: string | null;
}

/**
 * Records a JobRun (the row the UI shows) and hands it to the worker fleet. If Redis refuses the job,
 * the run is marked failed with the reason, so nothing is left looking queued forever.
 */
export async function enqueueJob<K extends JobKind>({ queue, tenant, kind, payload, requestedById, ip }: EnqueueOptions<K>) {
  const input = jobPayloads[kind].parse(payload);
  const run = await tenant.jobRuns.create({
    data: { organizationId: tenant.organizationId, kind, input, requestedById },
  });
  if (requestedById) {
    await recordAudit(tenant, { actorId: requestedById, action: "job.requested", targetType: "JobRun", targetId: run.id, ip, details: { kind } });
  }
  try {
    await queue.add(kind, { runId: run.id, organizationId: tenant.organizationId, kind }, { jobId: run.id });
  } catch (error) {
    await tenant.jobRuns.update({
      where: { id: run.id },
      data: { status: "FAILED", error: `Could not reach the job queue: ${(error as Error).message}`, finishedAt: new Date() },
    });
    throw error;
  }
  return run;
}

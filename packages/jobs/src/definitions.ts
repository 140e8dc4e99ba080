import { z } from "zod";

/** One queue for now; job names say what runs. */
export const QUEUE_NAME = "crossdock";

/** Every job the platform runs, with the payload it takes. The JobRun row's id is the BullMQ job id. */
export const jobPayloads = {
  "organization.welcome": z.object({ userId: z.string() }),
  "maintenance.sweep": z.object({
    /** Extra simulated work, in steps, so progress and graceful shutdown can be seen (and tested). */
    steps: z.number().int().min(1).max(600).default(1),
    stepMs: z.number().int().min(0).max(10_000).default(0),
  }),
  /** Writes a subset version into a destination (the SubsetMaterialization row says which), then its manifest. */
  "subset.materialize": z.object({ materializationId: z.string().min(1) }),
} as const;

export type JobKind = keyof typeof jobPayloads;
export type JobPayload<K extends JobKind> = z.input<(typeof jobPayloads)[K]>;
export const jobKinds = Object.keys(jobPayloads) as JobKind[];

/** What BullMQ carries: the run id (for the JobRun row), the tenant and the payload. */
export interface JobData {
  runId: string;
  organizationId: string;
  kind: JobKind;
}

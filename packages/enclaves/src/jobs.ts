// What the enclave queue's jobs do, as plain functions (the worker only wires them to BullMQ).
import type { EnclaveDeps } from "./deps.ts";
import { materializeContribution } from "./contributions.ts";
import { enclavesDueForTeardown, teardownEnclave } from "./teardown.ts";

export type EnclaveJob = { kind: "sweep" } | { kind: "teardown"; enclaveId: string } | { kind: "materialize"; contributionId: string };

export async function runEnclaveJob(deps: EnclaveDeps, job: EnclaveJob) {
  switch (job.kind) {
    case "sweep": {
      // Every enclave past its end that is not torn down: including those that ended while no worker ran.
      const now = deps.clock.now();
      const due = await enclavesDueForTeardown(deps.db, now);
      for (const enclaveId of due) await deps.enqueueTeardown(enclaveId);
      // Contributions whose job never reached the queue (Redis was down when they were added) get it now;
      // one already queued or running keeps its job (same job id). Only those waiting over a minute (real
      // time, as createdAt is): a contribution just added is its own request's to queue.
      const waiting = await deps.db.enclaveContribution.findMany({
        where: { state: { in: ["QUEUED", "MATERIALIZING"] }, createdAt: { lt: new Date(Date.now() - 60_000) }, enclave: { state: "ACTIVE", endsAt: { gt: now } } },
        select: { id: true },
      });
      for (const c of waiting) await deps.enqueueMaterialize(c.id);
      return { queued: due.length, contributions: waiting.length };
    }
    case "teardown":
      return teardownEnclave(deps, job.enclaveId);
    case "materialize":
      return materializeContribution(deps, job.contributionId);
  }
}

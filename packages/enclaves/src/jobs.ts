// What the enclave queue's jobs do, as plain functions (the worker only wires them to BullMQ).
import type { EnclaveDeps } from "./deps.ts";
import { materializeContribution } from "./contributions.ts";
import { enclavesDueForTeardown, teardownEnclave } from "./teardown.ts";

export type EnclaveJob = { kind: "sweep" } | { kind: "teardown"; enclaveId: string } | { kind: "materialize"; contributionId: string };

export async function runEnclaveJob(deps: EnclaveDeps, job: EnclaveJob) {
  switch (job.kind) {
    case "sweep": {
      // Every enclave past its end that is not torn down: including those that ended while no worker ran.
      const due = await enclavesDueForTeardown(deps.db, deps.clock.now());
      for (const enclaveId of due) await deps.enqueueTeardown(enclaveId);
      return { queued: due.length };
    }
    case "teardown":
      return teardownEnclave(deps, job.enclaveId);
    case "materialize":
      return materializeContribution(deps, job.contributionId);
  }
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { roleAtLeast } from "@crossdock/policy/roles";
import { errorMessage } from "~/components/errors";
import { formatDate } from "~/components/format";
import { useTRPC } from "~/trpc/react";

export default function JobsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const jobs = useQuery(trpc.job.list.queryOptions(undefined, { refetchInterval: (q) => (q.state.data?.some((j) => j.status === "QUEUED" || j.status === "RUNNING") ? 1_000 : 5_000) }));
  const run = useMutation(trpc.job.runMaintenance.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const isAdmin = !!me.data?.active && roleAtLeast(me.data.active.role, "ADMIN");
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Jobs</h1>
          <div className="muted">Background work run by the worker fleet.</div>
        </div>
        <button disabled={!isAdmin || run.isPending} title={isAdmin ? "" : "Only owners and admins can run maintenance"} onClick={() => run.mutate({ steps: 5, stepMs: 400 })}>
          Run maintenance
        </button>
      </div>
      {run.error && <div className="error">{errorMessage(run.error)}</div>}
      <section className="card">
        <table>
          <thead>
            <tr><th>Job</th><th>Status</th><th>Requested by</th><th>Queued</th><th>Result</th></tr>
          </thead>
          <tbody>
            {jobs.data?.map((j) => (
              <tr key={j.id} data-testid="job-row">
                <td><code>{j.kind}</code></td>
                <td><span className={`badge ${j.status}`}>{j.status.toLowerCase()}</span>{j.attempts > 1 && <span className="muted"> ({j.attempts} attempts)</span>}</td>
                <td>{j.requestedBy}</td>
                <td className="muted">{formatDate(j.createdAt)}</td>
                <td>{j.error ? <span className="error">{j.error}</span> : <code>{j.result ? JSON.stringify(j.result) : ""}</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

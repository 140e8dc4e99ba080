"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { roleAtLeast } from "@crossdock/policy/roles";
import { errorMessage } from "~/components/errors";
import { formatDate, providerLabel } from "~/components/format";
import { useTRPC } from "~/trpc/react";

export default function StoragePage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const accounts = useQuery(trpc.storage.list.queryOptions());
  const demo = useQuery(trpc.storage.demoClouds.queryOptions());
  const addDemo = useMutation(trpc.storage.addDemoClouds.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const isAdmin = !!me.data?.active && roleAtLeast(me.data.active.role, "ADMIN");
  const missingDemo = demo.data?.filter((d) => !d.added) ?? [];
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Storage accounts</h1>
          <div className="muted">The clouds and disks this organization moves data between.</div>
        </div>
        {isAdmin && <Link className="button" href="/storage/new">Add account</Link>}
      </div>
      {isAdmin && missingDemo.length > 0 && (
        <section className="card" style={{ borderColor: "#99f6e4", background: "#f0fdfa" }}>
          <h2>Try it with the demo clouds</h2>
          <p className="muted">
            Crossdock is running emulated clouds ({missingDemo.map((d) => d.label).join(", ")}) holding a synthetic cardiac study: clinical tables, VCFs, notes, scans and large files.
          </p>
          <button onClick={() => addDemo.mutate()} disabled={addDemo.isPending}>Add the demo clouds to this organization</button>
          {addDemo.error && <div className="error">{errorMessage(addDemo.error)}</div>}
        </section>
      )}
      <section className="card">
        {accounts.data?.length === 0 && <p className="muted">No storage accounts yet.</p>}
        {!!accounts.data?.length && (
          <table>
            <thead>
              <tr><th>Name</th><th>Type</th><th>Endpoint / account</th><th>Last check</th></tr>
            </thead>
            <tbody>
              {accounts.data.map((a) => (
                <tr key={a.id} data-testid="storage-account">
                  <td><Link href={`/storage/${a.id}`}>{a.name}</Link>{a.demoCloud && <span className="badge" style={{ marginLeft: 6 }}>demo</span>}</td>
                  <td>{providerLabel[a.provider]}</td>
                  <td className="muted">{String(a.settings.endpoint ?? a.settings.accountName ?? a.settings.projectId ?? (a.demoCloud ? "emulator" : "this server"))}</td>
                  <td>{a.lastCheckedAt ? (a.lastCheckError ? <span className="error">{a.lastCheckError}</span> : <span className="muted">OK, {formatDate(a.lastCheckedAt)}</span>) : <span className="muted">never</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatDate, stateLabel } from "~/components/format";
import { useTRPC } from "~/trpc/react";

export default function SubsetsPage() {
  const trpc = useTRPC();
  const subsets = useQuery(trpc.subset.list.queryOptions(undefined, { refetchInterval: 5_000 }));
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Subsets</h1>
          <div className="muted">De-identified selections of your data: objects chosen by globs, records transformed (drop, keyed hash, date shift, generalize, redact), checked against HIPAA Safe Harbor before they are shared.</div>
        </div>
        <Link className="button" href="/subsets/new">New subset</Link>
      </div>
      <section className="card">
        {subsets.data?.length === 0 && <p className="muted">No subsets yet.</p>}
        {!!subsets.data?.length && (
          <table>
            <thead>
              <tr><th>Name</th><th>Source</th><th>Version</th><th>Last materialization</th><th>Created</th></tr>
            </thead>
            <tbody>
              {subsets.data.map((s) => (
                <tr key={s.id} data-testid="subset-row">
                  <td><Link href={`/subsets/${s.id}`}>{s.name}</Link>{s.description && <div className="muted">{s.description}</div>}</td>
                  <td className="muted">{s.source}</td>
                  <td>v{s.latestVersion}</td>
                  <td>{s.lastRun ? <><span className={`badge ${s.lastRun.state}`}>{stateLabel(s.lastRun.state)}</span> <span className="muted nowrap">{formatDate(s.lastRun.createdAt)}</span></> : <span className="muted">never</span>}</td>
                  <td className="muted nowrap">{formatDate(s.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

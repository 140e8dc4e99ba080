"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatBytes, formatDate, stateLabel } from "~/components/format";
import { useTRPC } from "~/trpc/react";


export default function MigrationsPage() {
  const trpc = useTRPC();
  const migrations = useQuery(trpc.migration.list.queryOptions(undefined, { refetchInterval: 3_000 }));
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Migrations</h1>
          <div className="muted">Copies between storage accounts: sharded across the worker fleet, verified object by object, kept in sync until cutover.</div>
        </div>
        <Link className="button" href="/migrations/new">New migration</Link>
      </div>
      <section className="card">
        {migrations.data?.length === 0 && <p className="muted">No migrations yet.</p>}
        {!!migrations.data?.length && (
          <table>
            <thead>
              <tr><th>Name</th><th>From</th><th>To</th><th>State</th><th>Planned</th><th>Started</th></tr>
            </thead>
            <tbody>
              {migrations.data.map((m) => (
                <tr key={m.id} data-testid="migration-row">
                  <td><Link href={`/migrations/${m.id}`}>{m.name}</Link></td>
                  <td className="muted">{m.source}</td>
                  <td className="muted">{m.destination}</td>
                  <td><span className={`badge ${m.state}`}>{stateLabel(m.state, m.paused)}</span></td>
                  <td>{m.plannedObjects.toLocaleString("en-US")} objects, {formatBytes(m.plannedBytes)}</td>
                  <td className="muted nowrap">{formatDate(m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

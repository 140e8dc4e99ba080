"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { errorMessage } from "~/components/errors";
import { formatDate } from "~/components/format";
import { useTRPC } from "~/trpc/react";

export default function AuditPage() {
  const trpc = useTRPC();
  const audit = useInfiniteQuery(trpc.audit.list.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (page) => page.nextCursor }));
  const events = audit.data?.pages.flatMap((p) => p.events) ?? [];
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Audit log</h1>
          <div className="muted">Every change in this organization: who, what, when, and from which address.</div>
        </div>
      </div>
      {audit.error && <div className="error">{errorMessage(audit.error)}</div>}
      <section className="card">
        <table>
          <thead>
            <tr><th>When</th><th>Who</th><th>Action</th><th>Target</th><th>IP</th><th>Details</th></tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-testid="audit-row">
                <td className="muted nowrap">{formatDate(e.createdAt)}</td>
                <td>{e.actor?.email ?? "Crossdock"}</td>
                <td><code>{e.action}</code></td>
                <td>{e.targetType}</td>
                <td>{e.ip}</td>
                <td><code>{e.details ? JSON.stringify(e.details) : ""}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
        {audit.hasNextPage && <button className="secondary" onClick={() => audit.fetchNextPage()}>Load more</button>}
      </section>
    </>
  );
}

"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatDate } from "~/components/format";
import { useTRPC } from "~/trpc/react";

export default function DashboardPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const notifications = useQuery(trpc.notification.list.queryOptions(undefined, { refetchInterval: 3_000 }));
  const members = useQuery(trpc.member.list.queryOptions());
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{me.data?.active?.name ?? "…"}</h1>
          <div className="muted">You are {me.data?.active?.role.toLowerCase()} here.</div>
        </div>
      </div>
      <div className="grid2">
        <section className="card">
          <h2>Notifications</h2>
          {notifications.data?.length === 0 && <p className="muted">Nothing yet.</p>}
          {notifications.data?.map((n) => (
            <div key={n.id} data-testid="notification" style={{ marginBottom: 12 }}>
              <strong>{n.title}</strong>
              <div>{n.body}</div>
              <div className="muted">{formatDate(n.createdAt)}</div>
            </div>
          ))}
        </section>
        <section className="card">
          <h2>Team</h2>
          <p>
            {members.data?.length ?? "…"} member{members.data?.length === 1 ? "" : "s"}. <Link href="/members">Manage members</Link>
          </p>
          <h2 style={{ marginTop: 20 }}>Coming next</h2>
          <p className="muted">Storage accounts, migrations, de-identified subsets, enclaves and usage analytics build on this organization.</p>
        </section>
      </div>
    </>
  );
}

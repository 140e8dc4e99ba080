"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { roleAtLeast } from "@crossdock/policy/roles";
import { errorMessage } from "~/components/errors";
import { formatDate, providerLabel } from "~/components/format";
import { useTRPC } from "~/trpc/react";

export default function StorageAccountPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const account = useQuery(trpc.storage.get.queryOptions({ id }));
  const buckets = useQuery(trpc.storage.buckets.queryOptions({ id }, { retry: false }));
  const test = useMutation(trpc.storage.test.mutationOptions({ onSettled: () => queryClient.invalidateQueries(trpc.storage.get.queryFilter({ id })) }));
  const remove = useMutation(trpc.storage.delete.mutationOptions({ onSuccess: () => router.push("/storage") }));
  const isAdmin = !!me.data?.active && roleAtLeast(me.data.active.role, "ADMIN");
  const a = account.data;
  if (account.error) return <div className="error">{errorMessage(account.error)}</div>;
  if (!a) return null;
  return (
    <>
      <div className="page-head">
        <div>
          <div className="muted"><Link href="/storage">Storage</Link> /</div>
          <h1>{a.name}</h1>
          <div className="muted">{providerLabel[a.provider]}{a.demoCloud ? " (demo cloud)" : ""}</div>
        </div>
        <div style={{ display: "flex", gap: 8 }}>
          <button className="secondary" onClick={() => test.mutate({ id })} disabled={test.isPending}>{test.isPending ? "Testing…" : "Test connection"}</button>
          {isAdmin && !a.demoCloud && <Link className="button" href={`/storage/${id}/edit`}>Edit</Link>}
          {isAdmin && <button className="danger" onClick={() => confirm(`Delete the account "${a.name}"? Its data stays where it is.`) && remove.mutate({ id })}>Delete</button>}
        </div>
      </div>
      {test.data && (test.data.ok ? <div className="success" role="status">Connection works: {test.data.buckets.length} bucket(s).</div> : <div className="error" role="alert">{test.data.message}</div>)}
      {remove.error && <div className="error">{errorMessage(remove.error)}</div>}
      <div className="grid2">
        <section className="card">
          <h2>Buckets</h2>
          {buckets.error && <div className="error" role="alert">{errorMessage(buckets.error)}</div>}
          {buckets.isLoading && <p className="muted">Listing…</p>}
          {buckets.data?.length === 0 && <p className="muted">No buckets.</p>}
          <ul style={{ paddingLeft: 18 }}>
            {buckets.data?.map((b) => (
              <li key={b.name}><Link href={`/storage/${id}/browse?bucket=${encodeURIComponent(b.name)}`}>{b.name}</Link></li>
            ))}
          </ul>
        </section>
        <section className="card">
          <h2>Settings</h2>
          <table>
            <tbody>
              {Object.entries(a.settings).map(([k, v]) => (
                <tr key={k}><th>{k}</th><td>{String(v)}</td></tr>
              ))}
              <tr><th>Secret</th><td>{a.hasSecret ? "stored, encrypted" : "none"}</td></tr>
              <tr><th>Last check</th><td>{a.lastCheckedAt ? `${a.lastCheckError ?? "OK"} (${formatDate(a.lastCheckedAt)})` : "never"}</td></tr>
            </tbody>
          </table>
        </section>
      </div>
    </>
  );
}

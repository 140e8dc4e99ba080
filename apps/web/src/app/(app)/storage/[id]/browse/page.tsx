"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useSearchParams } from "next/navigation";
import { errorMessage } from "~/components/errors";
import { formatBytes, formatDate } from "~/components/format";
import { useTRPC } from "~/trpc/react";

export default function BrowsePage() {
  const { id } = useParams<{ id: string }>();
  const params = useSearchParams();
  const bucket = params.get("bucket") ?? "";
  const prefix = params.get("prefix") ?? "";
  const after = params.get("after") ?? undefined;
  const trpc = useTRPC();
  const account = useQuery(trpc.storage.get.queryOptions({ id }));
  const page = useQuery(trpc.storage.objects.queryOptions({ id, bucket, prefix, startAfter: after }, { retry: false }));
  const here = (p: string, a?: string) => `/storage/${id}/browse?bucket=${encodeURIComponent(bucket)}&prefix=${encodeURIComponent(p)}${a ? `&after=${encodeURIComponent(a)}` : ""}`;
  const crumbs = prefix.split("/").filter(Boolean);
  return (
    <>
      <div className="page-head">
        <div>
          <div className="muted">
            <Link href="/storage">Storage</Link> / <Link href={`/storage/${id}`}>{account.data?.name}</Link> /
          </div>
          <h1 data-testid="breadcrumbs">
            <Link href={here("")}>{bucket}</Link>
            {crumbs.map((c, i) => (
              <span key={i}> / <Link href={here(crumbs.slice(0, i + 1).join("/") + "/")}>{c}</Link></span>
            ))}
          </h1>
        </div>
      </div>
      {page.error && <div className="error" role="alert">{errorMessage(page.error)}</div>}
      <section className="card">
        {page.isLoading && <p className="muted">Listing…</p>}
        {page.data && page.data.folders.length + page.data.objects.length === 0 && <p className="muted">Nothing here.</p>}
        {page.data && (
          <table>
            <thead>
              <tr><th>Name</th><th>Size</th><th>Last modified</th></tr>
            </thead>
            <tbody>
              {page.data.folders.map((f) => (
                <tr key={f} data-testid="folder"><td><FolderIcon /> <Link href={here(f)}>{f.slice(prefix.length)}</Link></td><td></td><td></td></tr>
              ))}
              {page.data.objects.map((o) => (
                <tr key={o.key} data-testid="object">
                  <td><Link href={`/storage/${id}/object?bucket=${encodeURIComponent(bucket)}&key=${encodeURIComponent(o.key)}`}>{o.key.slice(prefix.length) || o.key}</Link></td>
                  <td>{formatBytes(o.size)}</td>
                  <td className="muted">{o.lastModified ? formatDate(o.lastModified) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div style={{ display: "flex", gap: 8, marginTop: 12 }}>
          {after && <Link className="button secondary" href={here(prefix)}>First page</Link>}
          {page.data?.nextStartAfter && <Link className="button" href={here(prefix, page.data.nextStartAfter)}>Next page</Link>}
        </div>
      </section>
    </>
  );
}

function FolderIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden style={{ verticalAlign: "-2px", marginRight: 4 }}>
      <path d="M1.5 3.5h5l1.5 1.5h6.5v8h-13z" fill="#99f6e4" stroke="#0f766e" strokeWidth="1" />
    </svg>
  );
}

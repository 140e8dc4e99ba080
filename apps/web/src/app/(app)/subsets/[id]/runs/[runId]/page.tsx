"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { errorMessage } from "~/components/errors";
import { formatBytes, formatDate } from "~/components/format";
import { useTRPC } from "~/trpc/react";

export default function ManifestPage() {
  const { id, runId } = useParams<{ id: string; runId: string }>();
  const trpc = useTRPC();
  const run = useQuery(trpc.subset.materialization.queryOptions({ id: runId }));
  const manifest = useQuery(trpc.subset.manifest.queryOptions({ id: runId }, { retry: false }));
  const m = manifest.data?.manifest;
  const download = () => {
    const url = URL.createObjectURL(new Blob([manifest.data!.text], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `manifest-${runId}.json`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Manifest</h1>
          <div className="muted">
            <Link href={`/subsets/${id}`}>{m?.subset.name ?? "Subset"}</Link>
            {m && <> · version {m.version.number} · written {formatDate(m.createdAt)}</>}
            {run.data && <> · {run.data.destination.account}: {run.data.destination.bucket}/{run.data.destination.prefix}</>}
          </div>
        </div>
        {manifest.data && <button onClick={download}>Download manifest JSON</button>}
      </div>
      {manifest.error && <div className="error" role="alert">{errorMessage(manifest.error)}</div>}
      {manifest.data && m && (
        <>
          <section className="card">
            {manifest.data.verified ? (
              <div className="success" data-testid="manifest-verified">Signature valid: HMAC-SHA256 under platform key {m.signature.keyId}. The manifest was written by this Crossdock and has not been changed.</div>
            ) : (
              <div className="error" data-testid="manifest-verified">Signature does NOT verify: the manifest was changed, or signed with a key this Crossdock does not have.</div>
            )}
            <table style={{ marginTop: 12 }}>
              <tbody>
                <tr><th>Manifest object</th><td><code>{manifest.data.location}</code></td></tr>
                <tr><th>Objects</th><td>{m.totals.objects.toLocaleString("en-US")} ({formatBytes(m.totals.bytes)})</td></tr>
                <tr><th>Source</th><td><code>{m.source.bucket}/{m.source.prefixes.join(", ")}</code></td></tr>
                <tr><th>Subset version</th><td>v{m.version.number} <span className="muted">({m.version.id})</span></td></tr>
                <tr><th>SHA-256 of the manifest</th><td><code>{run.data?.manifestSha256}</code></td></tr>
              </tbody>
            </table>
          </section>
          <section className="card">
            <h2>Objects</h2>
            <table data-testid="manifest-objects">
              <thead><tr><th>Key</th><th>Size</th><th>SHA-256</th><th>Source key</th><th>Mode</th></tr></thead>
              <tbody>
                {m.objects.map((o) => (
                  <tr key={o.key}>
                    <td><code>{o.key}</code></td>
                    <td className="nowrap">{formatBytes(o.size)}</td>
                    <td><code title={o.sha256}>{o.sha256.slice(0, 16)}…</code></td>
                    <td className="muted">{o.sourceKey}</td>
                    <td>{o.mode === "passThrough" ? <span className="badge flag">unchanged</span> : <span className="badge ok">transformed</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </>
  );
}

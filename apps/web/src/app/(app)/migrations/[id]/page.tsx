"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useEffect, useState } from "react";
import { errorMessage } from "~/components/errors";
import { formatBytes, formatDate, stateLabel } from "~/components/format";
import { useTRPC } from "~/trpc/react";
import { ThroughputChart, type Sample } from "./ThroughputChart";

const FINISHED = ["COMPLETED", "FAILED", "CANCELLED"];

function duration(seconds: number) {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export default function MigrationPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const migration = useQuery(trpc.migration.get.queryOptions({ id }, { refetchInterval: (q) => (q.state.data && FINISHED.includes(q.state.data.state) ? false : 1_500) }));
  const [samples, setSamples] = useState<Sample[]>([]);
  const m = migration.data;
  const p = m?.progress;
  useEffect(() => {
    if (!p || (m && FINISHED.includes(m.state))) return;
    setSamples((s) => [...s.slice(-119), { at: Date.now(), bytesPerSec: p.throughput.bytesPerSec, objectsPerSec: p.throughput.objectsPerSec }]);
  }, [migration.dataUpdatedAt]); // eslint-disable-line react-hooks/exhaustive-deps
  const refresh = { onSettled: () => queryClient.invalidateQueries(trpc.migration.get.queryFilter({ id })) };
  const pause = useMutation(trpc.migration.pause.mutationOptions(refresh));
  const resume = useMutation(trpc.migration.resume.mutationOptions(refresh));
  const cancel = useMutation(trpc.migration.cancel.mutationOptions(refresh));
  const retry = useMutation(trpc.migration.retry.mutationOptions(refresh));
  const cutover = useMutation(trpc.migration.cutover.mutationOptions(refresh));
  const problem = errorMessage(pause.error ?? resume.error ?? cancel.error ?? retry.error ?? cutover.error);
  if (migration.error) return <div className="error">{errorMessage(migration.error)}</div>;
  if (!m || !p) return null;
  const finished = FINISHED.includes(m.state);
  const current = p.current;
  const doneBytes = current.copiedBytes;
  // Objects handled (copied, found identical, skipped or failed) of those planned: in a sync pass most are identical.
  const handled = current.copiedObjects + current.unchanged + current.skipped + current.failed;
  const percent = current.plannedObjects > 0 ? Math.min(100, (handled / current.plannedObjects) * 100) : finished ? 100 : 0;
  const waiting = finished || m.state === "READY_FOR_CUTOVER";
  return (
    <>
      <div className="page-head">
        <div>
          <div className="muted"><Link href="/migrations">Migrations</Link> /</div>
          <h1>{m.name}</h1>
          <div className="muted">
            {m.source.account}: {m.source.bucket}/{m.source.prefix} → {m.destination.account}: {m.destination.bucket}/{m.destination.prefix}
          </div>
        </div>
        <span className={`badge ${m.state}`} data-testid="migration-state" style={{ fontSize: 14 }}>{stateLabel(m.state, m.paused)}</span>
      </div>
      {problem && <div className="error" role="alert" style={{ marginBottom: 12 }}>{problem}</div>}
      {p.lastError && <div className="error" style={{ marginBottom: 12 }}>{p.lastError}</div>}

      <section className="card">
        <div style={{ display: "flex", justifyContent: "space-between", marginBottom: 8 }}>
          <strong data-testid="migration-progress">
            Pass {p.pass}{p.pass === 0 ? " (copy)" : " (sync)"}: {handled.toLocaleString("en-US")} of {current.plannedObjects.toLocaleString("en-US")}{p.planComplete ? "" : "+"} objects,{" "}
            {formatBytes(doneBytes)} copied of {formatBytes(current.plannedBytes)}
          </strong>
          <span className="muted">
            {waiting ? "caught up" : p.etaSeconds === null ? "ETA: measuring…" : `ETA ${duration(p.etaSeconds)}`} · {formatBytes(p.throughput.bytesPerSec)}/s · {p.throughput.objectsPerSec.toFixed(1)} objects/s
          </span>
        </div>
        <div className="progress"><div style={{ width: `${percent}%` }} /></div>
        <div style={{ display: "flex", gap: 8, marginTop: 14, flexWrap: "wrap" }}>
          {!finished && !m.paused && <button className="secondary" onClick={() => pause.mutate({ id })}>Pause</button>}
          {!finished && m.paused && <button onClick={() => resume.mutate({ id })}>Resume</button>}
          {(m.state === "FAILED" || m.state === "READY_FOR_CUTOVER" || p.totals.failed > 0) && (
            <button className="secondary" onClick={() => retry.mutate({ id })}>{m.state === "READY_FOR_CUTOVER" ? "Run a sync pass" : "Retry failed"}</button>
          )}
          {!finished && <button onClick={() => confirm("Cut over: run a final sync pass and complete the migration?") && cutover.mutate({ id })} disabled={p.cutoverRequested}>{p.cutoverRequested ? "Cutover requested" : "Cut over"}</button>}
          {!finished && <button className="danger" onClick={() => confirm("Cancel this migration? What was copied stays (and is billed).") && cancel.mutate({ id })}>Cancel</button>}
          <a className="button secondary" href={`/api/migrations/${id}/report?format=csv`}>Report (CSV)</a>
          <a className="button secondary" href={`/api/migrations/${id}/report?format=jsonl`}>Report (JSON lines)</a>
        </div>
      </section>

      <div className="grid2">
        <section className="card">
          <h2>Throughput</h2>
          {samples.length > 1 ? <ThroughputChart samples={samples} /> : <p className="muted">{finished ? "Finished." : "Collecting samples…"}</p>}
        </section>
        <section className="card">
          <h2>Totals, all passes</h2>
          <table>
            <tbody>
              <tr><th>Copied</th><td data-testid="copied-total">{p.totals.copiedObjects.toLocaleString("en-US")} objects, {formatBytes(p.totals.copiedBytes)}</td></tr>
              <tr><th>Already identical</th><td>{p.totals.unchanged.toLocaleString("en-US")}</td></tr>
              <tr><th>Skipped</th><td>{p.totals.skipped.toLocaleString("en-US")}</td></tr>
              <tr><th>Deleted at destination</th><td>{p.totals.deleted.toLocaleString("en-US")}</td></tr>
              <tr><th>Failed</th><td className={p.totals.failed ? "error" : ""}>{p.totals.failed.toLocaleString("en-US")}</td></tr>
              <tr><th>Started</th><td>{m.startedAt ? formatDate(m.startedAt) : "–"}</td></tr>
              <tr><th>Completed</th><td>{m.completedAt ? formatDate(m.completedAt) : "–"}</td></tr>
            </tbody>
          </table>
        </section>
      </div>

      {p.recentFailures.length > 0 && (
        <section className="card">
          <h2>Failed objects</h2>
          <table>
            <thead><tr><th>Key</th><th>Reason</th><th>Pass</th><th>Attempts</th></tr></thead>
            <tbody>
              {p.recentFailures.map((f) => (
                <tr key={f.key}><td><code>{f.key}</code></td><td className="error">{f.error}</td><td>{f.pass}</td><td>{f.attempts}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section className="card">
        <h2>Shards (pass {p.pass})</h2>
        <p className="muted">{current.shards.total} shards: {current.shards.done} done, {current.shards.running} running, {current.shards.pending} pending, {current.shards.failed} failed.</p>
        <table>
          <thead><tr><th>#</th><th>Key range</th><th>State</th><th>Objects</th><th>Copied</th><th>Identical</th><th>Failed</th><th>Attempts</th></tr></thead>
          <tbody>
            {p.shardsShown.map((s) => (
              <tr key={s.id} data-testid="shard-row">
                <td>{s.index}</td>
                <td><code>{s.startAfter ?? "start"}</code> … <code>{s.endKey ?? "end"}</code></td>
                <td><span className={`badge ${s.state}`}>{s.state.toLowerCase()}</span></td>
                <td>{s.plannedObjects.toLocaleString("en-US")} ({formatBytes(s.plannedBytes)})</td>
                <td>{s.copiedObjects.toLocaleString("en-US")}</td>
                <td>{s.unchanged.toLocaleString("en-US")}</td>
                <td className={s.failed ? "error" : ""}>{s.failed}</td>
                <td>{s.attempts}{s.lastError ? <div className="error">{s.lastError}</div> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

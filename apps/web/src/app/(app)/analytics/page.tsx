"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { errorMessage } from "~/components/errors";
import { formatBytes, formatDate, providerLabel } from "~/components/format";
import { useTRPC } from "~/trpc/react";
import { MovedChart, PROVIDER_COLORS, StoredChart } from "./Charts";

const dayKey = (d: Date) => d.toISOString().slice(0, 10);
const daysAgo = (n: number) => dayKey(new Date(Date.now() - n * 86_400_000));
const usd = (n: number) => (n > 0 && n < 0.01 ? "< $0.01" : `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const cardTitle: Record<string, string> = { s3: "AWS / S3-compatible", azure: "Azure Blob", gcs: "Google Cloud Storage", local: "Crossdock disk (local)" };

function CsvLink({ table, from, to }: { table: string; from: string; to: string }) {
  return (
    <a className="button secondary" style={{ padding: "4px 10px", fontSize: 12, border: "1px solid var(--line)", background: "#fff", color: "var(--text)" }} href={`/api/analytics/export?table=${table}&from=${from}&to=${to}`} download>
      CSV
    </a>
  );
}

function Section({ title, table, from, to, children }: { title: string; table: string; from: string; to: string; children: ReactNode }) {
  return (
    <section className="card">
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", marginBottom: 8 }}>
        <h2 style={{ margin: 0 }}>{title}</h2>
        <CsvLink table={table} from={from} to={to} />
      </div>
      {children}
    </section>
  );
}

export default function AnalyticsPage() {
  const trpc = useTRPC();
  const [from, setFrom] = useState(daysAgo(29));
  const [to, setTo] = useState(daysAgo(0));
  const overview = useQuery(trpc.analytics.overview.queryOptions({ from, to }, { refetchInterval: 10_000 }));
  const refresh = useMutation(trpc.analytics.refreshInventory.mutationOptions({ onSuccess: () => setTimeout(() => overview.refetch(), 1500) }));
  const a = overview.data;

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Analytics</h1>
          <div className="muted">Where your data lives, what moved and what it cost: from the metering ledger and the inventory scans. Days are UTC.</div>
        </div>
        <div style={{ display: "flex", gap: 8, alignItems: "flex-end" }}>
          <button className="secondary nowrap" style={{ whiteSpace: "nowrap" }} onClick={() => refresh.mutate()} disabled={refresh.isPending}>Refresh inventory now</button>
        </div>
      </div>
      {refresh.data && <div className="success" role="status" style={{ marginBottom: 12 }}>Inventory scan queued for {refresh.data.queued} storage account(s).</div>}
      {refresh.error && <div className="error" role="alert">{errorMessage(refresh.error)}</div>}

      <form className="inline card" style={{ padding: "12px 16px" }} onSubmit={(e) => e.preventDefault()} aria-label="Date range">
        <label>From <input type="date" aria-label="From" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} /></label>
        <label>To <input type="date" aria-label="To" value={to} min={from} onChange={(e) => e.target.value && setTo(e.target.value)} /></label>
        {[7, 30, 90].map((n) => (
          <button key={n} type="button" className="secondary" onClick={() => (setFrom(daysAgo(n - 1)), setTo(daysAgo(0)))}>Last {n} days</button>
        ))}
        {a && <span className="muted" style={{ marginLeft: "auto" }}>{a.scanning > 0 ? `Scanning ${a.scanning} bucket(s)…` : `${a.accounts} storage account(s)`}</span>}
      </form>
      {overview.error && <div className="error" role="alert">{errorMessage(overview.error)}</div>}

      {a && (
        <>
          <div style={{ display: "grid", gridTemplateColumns: "repeat(4, 1fr)", gap: 14, marginBottom: 18 }}>
            {a.cards.map((c) => (
              <section key={c.provider} className="card" style={{ marginBottom: 0, borderTop: `4px solid ${PROVIDER_COLORS[c.provider]}` }} data-testid={`cloud-card-${c.provider}`}>
                <h2 style={{ fontSize: 14 }}>{cardTitle[c.provider]}</h2>
                <div style={{ fontSize: 20, fontWeight: 700 }} data-testid="stored-bytes">{formatBytes(c.storedBytes)}</div>
                <div className="muted">{c.storedObjects.toLocaleString("en-US")} objects in {c.buckets} bucket(s)</div>
                <div className="muted" style={{ fontSize: 11, marginTop: 8, textTransform: "uppercase", letterSpacing: ".04em" }}>This month ({a.month})</div>
                <table style={{ fontSize: 13 }}>
                  <tbody>
                    {([["Moved in", "moved-in", formatBytes(c.movedInBytes)], ["Moved out", "moved-out", formatBytes(c.movedOutBytes)], ["Egress (est.)", "egress-cost", usd(c.egressUsd)], ["Storage / month (est.)", "storage-cost", usd(c.storageUsdPerMonth)]] as const).map(([label, id, value], i, all) => (
                      <tr key={id}>
                        <td style={{ padding: "3px 0", border: i === all.length - 1 ? 0 : undefined }}>{label}</td>
                        <td className="nowrap" style={{ padding: "3px 0", textAlign: "right", border: i === all.length - 1 ? 0 : undefined }} data-testid={id}>{value}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <div className="muted" style={{ fontSize: 11, marginTop: 6 }}>{c.lastScanAt ? `Scanned ${formatDate(c.lastScanAt)}` : "Not scanned yet"}</div>
              </section>
            ))}
          </div>

          <Section title="Bytes moved per day, by source provider" table="moved-per-day" from={a.range.from} to={a.range.to}>
            <p className="muted" style={{ marginTop: 0 }}>
              {formatBytes(a.totals.movedBytes)} in {a.totals.movedObjects.toLocaleString("en-US")} objects from {a.range.from} to {a.range.to}; estimated egress {usd(a.totals.egressUsd)}.
            </p>
            <MovedChart data={a.movedPerDay} />
          </Section>

          <Section title="Stored bytes per cloud" table="stored-per-day" from={a.range.from} to={a.range.to}>
            <StoredChart data={a.storedPerDay} />
          </Section>

          <div className="grid2">
            <Section title="Top buckets" table="top-buckets" from={a.range.from} to={a.range.to}>
              {a.topBuckets.length === 0 ? <p className="muted">No inventory yet: refresh it above.</p> : (
                <table data-testid="top-buckets">
                  <thead><tr><th>Bucket</th><th>Objects</th><th>Size</th></tr></thead>
                  <tbody>
                    {a.topBuckets.map((b) => (
                      <tr key={`${b.account}/${b.bucket}`}><td>{b.bucket}<div className="muted" style={{ fontSize: 12 }}>{b.account}</div></td><td>{b.objects.toLocaleString("en-US")}</td><td className="nowrap">{formatBytes(b.bytes)}</td></tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
            <Section title="Top prefixes" table="top-prefixes" from={a.range.from} to={a.range.to}>
              {a.topPrefixes.length === 0 ? <p className="muted">No inventory yet.</p> : (
                <table data-testid="top-prefixes">
                  <thead><tr><th>Prefix</th><th>Objects</th><th>Size</th></tr></thead>
                  <tbody>
                    {a.topPrefixes.map((p) => (
                      <tr key={`${p.account}/${p.bucket}/${p.prefix}`}><td><code>{p.prefix}</code><div className="muted" style={{ fontSize: 12 }}>{p.account}: {p.bucket}</div></td><td>{p.objects.toLocaleString("en-US")}</td><td className="nowrap">{formatBytes(p.bytes)}</td></tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
          </div>

          <Section title="Moved per migration" table="migrations" from={a.range.from} to={a.range.to}>
            {a.migrations.length === 0 ? <p className="muted">Nothing moved in this range.</p> : (
              <table data-testid="migration-usage">
                <thead><tr><th>Migration</th><th>Route</th><th>Objects</th><th>Bytes</th><th>Est. egress</th></tr></thead>
                <tbody>
                  {a.migrations.map((m) => (
                    <tr key={m.migrationId}>
                      <td>{m.migrationId ? <Link href={`/migrations/${m.migrationId}`}>{m.name}</Link> : m.name}</td>
                      <td className="muted">{providerLabel[m.sourceProvider]} → {providerLabel[m.destProvider]}</td>
                      <td>{m.objects.toLocaleString("en-US")}</td>
                      <td className="nowrap">{formatBytes(m.bytes)}</td>
                      <td>{usd(m.egressUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>

          <Section title="Moved per route (provider and region)" table="routes" from={a.range.from} to={a.range.to}>
            {a.routes.length === 0 ? <p className="muted">Nothing moved in this range.</p> : (
              <table>
                <thead><tr><th>From</th><th>To</th><th>Objects</th><th>Bytes</th><th>Est. egress</th></tr></thead>
                <tbody>
                  {a.routes.map((r) => (
                    <tr key={`${r.sourceProvider}/${r.sourceRegion}/${r.destProvider}/${r.destRegion}`}>
                      <td>{providerLabel[r.sourceProvider]}{r.sourceRegion && <span className="muted"> ({r.sourceRegion})</span>}</td>
                      <td>{providerLabel[r.destProvider]}{r.destRegion && <span className="muted"> ({r.destRegion})</span>}</td>
                      <td>{r.objects.toLocaleString("en-US")}</td>
                      <td className="nowrap">{formatBytes(r.bytes)}</td>
                      <td>{usd(r.egressUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          <p className="muted" style={{ fontSize: 12 }}>
            Egress estimates use your organization&apos;s egress prices (Settings) per GB leaving the source provider; copies inside one provider and region are free.
            Storage estimates use list prices for standard storage. Billing is separate: see <Link href="/billing">Billing</Link>.
          </p>
        </>
      )}
    </>
  );
}

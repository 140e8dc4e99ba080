"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessage } from "~/components/errors";
import { formatBytes } from "~/components/format";
import { BucketSelect } from "~/components/BucketSelect";
import { useTRPC } from "~/trpc/react";

interface Endpoint {
  accountId: string;
  bucket: string;
  prefix: string;
}

function EndpointPicker({ label, value, onChange }: { label: string; value: Endpoint; onChange: (e: Endpoint) => void }) {
  const trpc = useTRPC();
  const accounts = useQuery(trpc.storage.list.queryOptions());
  return (
    <fieldset className="card" style={{ margin: 0 }}>
      <h2>{label}</h2>
      <div className="stack" style={{ display: "flex", flexDirection: "column", gap: 12 }}>
        <label>
          Storage account
          <select aria-label={`${label} account`} value={value.accountId} onChange={(e) => onChange({ accountId: e.target.value, bucket: "", prefix: value.prefix })}>
            <option value="">Choose…</option>
            {accounts.data?.map((a) => (
              <option key={a.id} value={a.id}>{a.name}</option>
            ))}
          </select>
        </label>
        <label>
          Bucket
          <BucketSelect accountId={value.accountId} ariaLabel={`${label} bucket`} value={value.bucket} onChange={(bucket) => onChange({ ...value, bucket })} />
        </label>
        <label>
          Prefix <span className="muted">(optional, e.g. clinical/)</span>
          <input aria-label={`${label} prefix`} value={value.prefix} onChange={(e) => onChange({ ...value, prefix: e.target.value })} />
        </label>
      </div>
    </fieldset>
  );
}

const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);

export default function NewMigrationPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState("");
  const [source, setSource] = useState<Endpoint>({ accountId: "", bucket: "", prefix: "" });
  const [destination, setDestination] = useState<Endpoint>({ accountId: "", bucket: "", prefix: "" });
  const [include, setInclude] = useState("");
  const [exclude, setExclude] = useState("");
  const [overwrite, setOverwrite] = useState<"changed" | "always" | "never">("changed");
  const [verify, setVerify] = useState<"hash" | "size">("hash");
  const [deleteExtraneous, setDeleteExtraneous] = useState(false);
  const [concurrency, setConcurrency] = useState(16);
  const [capMiB, setCapMiB] = useState("");
  const dry = useMutation(trpc.migration.dryRun.mutationOptions());
  const create = useMutation(trpc.migration.create.mutationOptions({ onSuccess: (m) => router.push(`/migrations/${m.id}`) }));

  const input = () => ({
    source,
    destination,
    options: {
      include: lines(include),
      exclude: lines(exclude),
      overwrite,
      verify,
      deleteExtraneous,
      concurrency,
      ...(capMiB ? { bandwidthLimitBytesPerSec: Math.round(Number(capMiB) * 1024 * 1024) } : {}),
    },
  });
  const ready = source.accountId && source.bucket && destination.accountId && destination.bucket;
  const d = dry.data;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>New migration</h1>
          <div className="muted">Dry run first: it lists the source and shows what would move and what it would cost.</div>
        </div>
      </div>
      <div className="grid2" style={{ marginBottom: 18 }}>
        <EndpointPicker label="Source" value={source} onChange={(e) => (setSource(e), dry.reset())} />
        <EndpointPicker label="Destination" value={destination} onChange={(e) => (setDestination(e), dry.reset())} />
      </div>
      <section className="card">
        <h2>Options</h2>
        <div className="grid2">
          <label>
            Include (globs, one per line; empty = everything)
            <textarea rows={3} value={include} onChange={(e) => setInclude(e.target.value)} placeholder={"clinical/**\n*.vcf"} />
          </label>
          <label>
            Exclude (globs, one per line)
            <textarea rows={3} value={exclude} onChange={(e) => setExclude(e.target.value)} placeholder="**/*.tmp" />
          </label>
          <label>
            When the destination already has an object
            <select value={overwrite} onChange={(e) => setOverwrite(e.target.value as typeof overwrite)}>
              <option value="changed">overwrite it if it differs (size, date, hash)</option>
              <option value="always">always overwrite</option>
              <option value="never">never overwrite</option>
            </select>
          </label>
          <label>
            Verification
            <select value={verify} onChange={(e) => setVerify(e.target.value as typeof verify)}>
              <option value="hash">content hash (MD5 / CRC32C) of every object</option>
              <option value="size">size only</option>
            </select>
          </label>
          <label>
            Objects in flight per shard
            <input type="number" min={1} max={256} value={concurrency} onChange={(e) => setConcurrency(Number(e.target.value))} />
          </label>
          <label>
            Bandwidth cap per shard (MiB/s, empty = none)
            <input type="number" min={0.01} step="any" value={capMiB} onChange={(e) => setCapMiB(e.target.value)} />
          </label>
        </div>
        <label style={{ flexDirection: "row", alignItems: "center", gap: 8, marginTop: 12 }}>
          <input
            type="checkbox"
            checked={deleteExtraneous}
            onChange={(e) => setDeleteExtraneous(e.target.checked && confirm("Sync passes will DELETE destination objects that the source no longer has. Continue?"))}
          />
          Delete destination objects missing at the source (sync passes)
        </label>
      </section>
      <section className="card">
        <h2>Dry run</h2>
        {!d && !dry.isPending && <p className="muted">Choose a source and destination, then run a dry run.</p>}
        {dry.isPending && <p className="muted">Listing the source…</p>}
        {dry.error && <div className="error" role="alert">{errorMessage(dry.error)}</div>}
        {d && (
          <table data-testid="dry-run">
            <tbody>
              <tr><th>Objects to copy</th><td>{d.objects.toLocaleString("en-US")}</td></tr>
              <tr><th>Bytes to copy</th><td>{formatBytes(d.bytes)} ({d.bytes.toLocaleString("en-US")} bytes)</td></tr>
              <tr><th>Left out by filters</th><td>{d.excludedObjects.toLocaleString("en-US")} objects, {formatBytes(d.excludedBytes)}</td></tr>
              <tr><th>Estimated egress cost</th><td>{d.freeEgress ? "free (same provider and region)" : `${d.egressUsd < 0.01 && d.bytes > 0 ? "under $0.01" : `$${d.egressUsd.toFixed(2)}`} at $${d.pricePerGB}/GB`}</td></tr>
              <tr><th>Estimated duration</th><td>{d.estimatedSeconds < 90 ? `${Math.ceil(d.estimatedSeconds)} s` : `${Math.ceil(d.estimatedSeconds / 60)} min`} at {formatBytes(d.throughputBytesPerSec)}/s</td></tr>
            </tbody>
          </table>
        )}
        <div style={{ display: "flex", gap: 10, marginTop: 14, alignItems: "flex-end" }}>
          <button className="secondary" disabled={!ready || dry.isPending} onClick={() => dry.mutate(input())}>Dry run</button>
          <label style={{ flex: 1 }}>
            Migration name
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Study archive to Azure" />
          </label>
          <button disabled={!ready || !name || create.isPending} onClick={() => create.mutate({ ...input(), name })}>Migrate</button>
        </div>
        {create.error && <div className="error" role="alert" style={{ marginTop: 12 }}>{errorMessage(create.error)}</div>}
      </section>
    </>
  );
}

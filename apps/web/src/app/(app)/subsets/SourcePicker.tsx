"use client";
import { useQuery } from "@tanstack/react-query";
import { errorMessage } from "~/components/errors";
import { useTRPC } from "~/trpc/react";

export interface Place {
  accountId: string;
  bucket: string;
  prefix: string;
}

/** Account, bucket (listed from the account) and prefix: the subset's source, or a materialization's destination. */
export function PlacePicker({ label, value, onChange, prefixHint }: { label: string; value: Place; onChange: (p: Place) => void; prefixHint?: string }) {
  const trpc = useTRPC();
  const accounts = useQuery(trpc.storage.list.queryOptions());
  const buckets = useQuery(trpc.storage.buckets.queryOptions({ id: value.accountId }, { enabled: !!value.accountId, retry: false }));
  return (
    <div className="grid3">
      <label>
        {label} account
        <select aria-label={`${label} account`} value={value.accountId} onChange={(e) => onChange({ accountId: e.target.value, bucket: "", prefix: value.prefix })}>
          <option value="">Choose…</option>
          {accounts.data?.map((a) => (
            <option key={a.id} value={a.id}>{a.name}</option>
          ))}
        </select>
      </label>
      <label>
        {label} bucket
        <select aria-label={`${label} bucket`} value={value.bucket} onChange={(e) => onChange({ ...value, bucket: e.target.value })} disabled={!buckets.data}>
          <option value="">{buckets.isLoading ? "Listing…" : "Choose…"}</option>
          {value.bucket && !buckets.data?.some((b) => b.name === value.bucket) && <option value={value.bucket}>{value.bucket}</option>}
          {buckets.data?.map((b) => (
            <option key={b.name} value={b.name}>{b.name}</option>
          ))}
        </select>
        {buckets.error && <span className="error">{errorMessage(buckets.error)}</span>}
      </label>
      <label>
        {label} prefix <span className="muted">{prefixHint ?? "(optional)"}</span>
        <input aria-label={`${label} prefix`} value={value.prefix} onChange={(e) => onChange({ ...value, prefix: e.target.value })} />
      </label>
    </div>
  );
}

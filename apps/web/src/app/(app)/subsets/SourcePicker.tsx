"use client";
import { useQuery } from "@tanstack/react-query";
import { BucketSelect } from "~/components/BucketSelect";
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
        <BucketSelect accountId={value.accountId} ariaLabel={`${label} bucket`} value={value.bucket} onChange={(bucket) => onChange({ ...value, bucket })} keepUnlisted />
      </label>
      <label>
        {label} prefix <span className="muted">{prefixHint ?? "(optional)"}</span>
        <input aria-label={`${label} prefix`} value={value.prefix} onChange={(e) => onChange({ ...value, prefix: e.target.value })} />
      </label>
    </div>
  );
}

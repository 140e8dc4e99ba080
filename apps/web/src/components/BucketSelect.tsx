"use client";
// The bucket <select> of one storage account, listed live, with the provider's reason when listing fails.
import { useQuery } from "@tanstack/react-query";
import { errorMessage } from "~/components/errors";
import { useTRPC } from "~/trpc/react";

export function BucketSelect({ accountId, ariaLabel, value, onChange, required, keepUnlisted }: {
  accountId: string;
  ariaLabel: string;
  value: string;
  onChange: (bucket: string) => void;
  required?: boolean;
  /** Show `value` as an option even when the listing does not (a saved choice, before or without the listing). */
  keepUnlisted?: boolean;
}) {
  const trpc = useTRPC();
  const buckets = useQuery(trpc.storage.buckets.queryOptions({ id: accountId }, { enabled: !!accountId, retry: false }));
  return (
    <>
      <select aria-label={ariaLabel} value={value} onChange={(e) => onChange(e.target.value)} disabled={!buckets.data} required={required}>
        <option value="">{buckets.isLoading ? "Listing…" : "Choose…"}</option>
        {keepUnlisted && value && !buckets.data?.some((b) => b.name === value) && <option value={value}>{value}</option>}
        {buckets.data?.map((b) => (
          <option key={b.name} value={b.name}>{b.name}</option>
        ))}
      </select>
      {buckets.error && <span className="error">{errorMessage(buckets.error)}</span>}
    </>
  );
}

"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessage } from "~/components/errors";
import { providerLabel } from "~/components/format";
import { BucketSelect } from "~/components/BucketSelect";
import { useTRPC } from "~/trpc/react";

/** "YYYY-MM-DDTHH:mm" in UTC, what a datetime-local input holds (the form works in UTC, as the app shows times). */
const toInput = (d: Date) => d.toISOString().slice(0, 16);
const fromInput = (v: string) => new Date(`${v}:00Z`);

export default function NewEnclavePage() {
  const trpc = useTRPC();
  const router = useRouter();
  const accounts = useQuery(trpc.storage.list.queryOptions());
  const policy = useQuery(trpc.enclave.policy.queryOptions());
  const [name, setName] = useState("");
  const [purpose, setPurpose] = useState("");
  const [startsAt, setStartsAt] = useState(() => toInput(new Date()));
  const [endsAt, setEndsAt] = useState(() => toInput(new Date(Date.now() + 30 * 86_400_000)));
  const [accountId, setAccountId] = useState("");
  const [bucket, setBucket] = useState("");
  const [prefix, setPrefix] = useState("enclaves/");
  const create = useMutation(trpc.enclave.create.mutationOptions({ onSuccess: (e) => router.push(`/enclaves/${e.id}`) }));
  const p = policy.data;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>New enclave</h1>
          <div className="muted">Your organization hosts it: its data lives in one of your storage accounts, under a prefix of its own, and is deleted at the end.</div>
        </div>
      </div>
      <form
        className="card stack"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name, purpose, startsAt: fromInput(startsAt), endsAt: fromInput(endsAt), accountId, bucket, prefix });
        }}
      >
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Purpose
          <textarea rows={2} value={purpose} onChange={(e) => setPurpose(e.target.value)} required />
        </label>
        <div className="grid2">
          <label>
            Starts (UTC)
            <input type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} required />
          </label>
          <label>
            Ends (UTC)
            <input type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} required />
          </label>
        </div>
        {p && (
          <p className="muted" data-testid="placement-policy">
            Placement policy: at most {p.maxDurationHours % 24 === 0 ? `${p.maxDurationHours / 24} days` : `${p.maxDurationHours} hours`}; providers {p.allowedProviders?.join(", ") || "any"}; regions {p.allowedRegions?.join(", ") || "any"}.
          </p>
        )}
        <div className="grid2">
          <label>
            Placement account
            <select aria-label="Placement account" value={accountId} onChange={(e) => (setAccountId(e.target.value), setBucket(""))} required>
              <option value="">Choose…</option>
              {accounts.data?.map((a) => (
                <option key={a.id} value={a.id}>{a.name} ({providerLabel[a.provider]}{typeof a.settings.region === "string" ? `, ${a.settings.region}` : ""})</option>
              ))}
            </select>
          </label>
          <label>
            Bucket
            <BucketSelect accountId={accountId} ariaLabel="Placement bucket" value={bucket} onChange={setBucket} required />
          </label>
        </div>
        <label>
          Prefix <span className="muted">(the enclave adds a folder of its own below it)</span>
          <input aria-label="Placement prefix" value={prefix} onChange={(e) => setPrefix(e.target.value)} />
        </label>
        {create.error && <div className="error" role="alert">{errorMessage(create.error)}</div>}
        <div>
          <button type="submit" disabled={create.isPending}>Create enclave</button>
        </div>
      </form>
    </>
  );
}

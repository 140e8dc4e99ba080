"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { roleAtLeast } from "@crossdock/policy/roles";
import { errorMessage } from "~/components/errors";
import { providerLabel } from "~/components/format";
import { useTRPC } from "~/trpc/react";

const providers = ["s3", "azure", "gcs", "local"] as const;

export default function SettingsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const pricing = useQuery(trpc.organization.pricing.queryOptions());
  const [saved, setSaved] = useState(false);
  const save = useMutation(trpc.organization.setPricing.mutationOptions({ onSuccess: () => (setSaved(true), queryClient.invalidateQueries(trpc.organization.pricing.queryFilter())) }));
  const isAdmin = !!me.data?.active && roleAtLeast(me.data.active.role, "ADMIN");

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const price = (p: string) => Number(f.get(p));
    save.mutate({ s3: price("s3"), azure: price("azure"), gcs: price("gcs"), local: price("local") });
  }

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Settings</h1>
          <div className="muted">{me.data?.active?.name}</div>
        </div>
      </div>
      <section className="card" style={{ maxWidth: 640 }}>
        <h2>Egress prices for dry-run estimates</h2>
        <p className="muted">
          USD per GB leaving each kind of source (copies inside one provider and region are free). Defaults are the providers&apos; public first-tier internet egress
          prices; set your negotiated rates here.
        </p>
        {pricing.data && (
          <form className="stack" onSubmit={submit} onChange={() => setSaved(false)}>
            <fieldset disabled={!isAdmin} style={{ border: 0, padding: 0, margin: 0, display: "flex", flexDirection: "column", gap: 12 }}>
              {providers.map((p) => (
                <label key={p}>
                  {providerLabel[p]} <span className="muted">(default ${pricing.data.defaults[p]})</span>
                  <input name={p} type="number" step="0.001" min={0} max={10} defaultValue={pricing.data.prices[p]} aria-label={`${providerLabel[p]} egress price`} />
                </label>
              ))}
              <button type="submit" disabled={save.isPending}>Save prices</button>
            </fieldset>
            {!isAdmin && <p className="notice">Only owners and admins can change prices.</p>}
            {save.error && <div className="error" role="alert">{errorMessage(save.error)}</div>}
            {saved && <div className="success" role="status">Saved. Dry runs now use these prices.</div>}
          </form>
        )}
      </section>
    </>
  );
}

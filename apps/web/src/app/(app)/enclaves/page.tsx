"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { placementPresets } from "@crossdock/policy/placement";
import { errorMessage } from "~/components/errors";
import { formatDate } from "~/components/format";
import { useTRPC } from "~/trpc/react";

export default function EnclavesPage() {
  const trpc = useTRPC();
  const enclaves = useQuery(trpc.enclave.list.queryOptions());
  const me = useQuery(trpc.auth.me.queryOptions());
  const admin = me.data?.active?.role === "OWNER" || me.data?.active?.role === "ADMIN";
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Enclaves</h1>
          <div className="muted">Time-boxed shared spaces for a joint study: de-identified contributions, audited access, automatic teardown at the end.</div>
        </div>
        {admin && <Link className="button" href="/enclaves/new">New enclave</Link>}
      </div>
      <section className="card">
        {enclaves.data?.length === 0 && <p className="muted">No enclaves yet. Host one, or join one through an invitation link from its host.</p>}
        {!!enclaves.data?.length && (
          <table>
            <thead>
              <tr><th>Name</th><th>Host</th><th>Your role</th><th>Window</th><th>State</th></tr>
            </thead>
            <tbody>
              {enclaves.data.map((e) => (
                <tr key={e.id} data-testid="enclave-row">
                  <td><Link href={`/enclaves/${e.id}`}>{e.name}</Link><div className="muted">{e.purpose}</div></td>
                  <td>{e.host}</td>
                  <td><span className="badge">{e.role.toLowerCase()}</span></td>
                  <td className="muted nowrap">{formatDate(e.startsAt)}<br />→ {formatDate(e.endsAt)}</td>
                  <td><span className={`badge ${e.ended ? "FAILED" : ""}`}>{e.state === "TORN_DOWN" ? "torn down" : e.ended ? "ended" : "open"}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {admin && <PlacementPolicyForm />}
    </>
  );
}

const presetNames = { any: "Any provider and region", "us-only": "US regions only", "eu-only": "EU regions only" } as const;
type Preset = keyof typeof presetNames;

function PlacementPolicyForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const policy = useQuery(trpc.enclave.policy.queryOptions());
  const [preset, setPreset] = useState<Preset>("any");
  const [days, setDays] = useState(90);
  const save = useMutation(trpc.enclave.setPolicy.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.enclave.policy.queryKey() }) }));
  useEffect(() => {
    if (!policy.data) return;
    const regions = policy.data.allowedRegions?.join(",") ?? "";
    setPreset(((Object.keys(presetNames) as Preset[]).find((p) => ((placementPresets[p] as { allowedRegions?: string[] }).allowedRegions?.join(",") ?? "") === regions) ?? "any"));
    setDays(Math.round(policy.data.maxDurationHours / 24));
  }, [policy.data]);
  return (
    <section className="card">
      <h2>Placement policy</h2>
      <p className="muted">Where your organization's enclaves may keep data, and for how long. New enclaves are checked against it.</p>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ allowedProviders: [], allowedRegions: (placementPresets[preset] as { allowedRegions?: string[] }).allowedRegions ?? [], maxDurationHours: days * 24 });
        }}
      >
        <label>
          Regions
          <select aria-label="Allowed regions" value={preset} onChange={(e) => setPreset(e.target.value as Preset)}>
            {(Object.keys(presetNames) as Preset[]).map((p) => (
              <option key={p} value={p}>{presetNames[p]}</option>
            ))}
          </select>
        </label>
        <label>
          Longest enclave (days)
          <input type="number" aria-label="Longest enclave (days)" min={1} max={366} value={days} onChange={(e) => setDays(Number(e.target.value))} />
        </label>
        <button type="submit" disabled={save.isPending}>Save policy</button>
      </form>
      {save.isSuccess && <div className="success" role="status" style={{ marginTop: 10 }}>Saved.</div>}
      {save.error && <div className="error" role="alert" style={{ marginTop: 10 }}>{errorMessage(save.error)}</div>}
    </section>
  );
}

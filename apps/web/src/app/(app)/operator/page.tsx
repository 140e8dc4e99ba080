"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "~/components/errors";
import { useTRPC } from "~/trpc/react";
import { cents, gb, pricePerGB } from "../billing/money";

export default function OperatorPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const orgs = useQuery(trpc.operator.organizations.queryOptions());
  const [message, setMessage] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries(trpc.operator.organizations.queryFilter());
  const setPlan = useMutation(trpc.operator.setPlan.mutationOptions({ onSuccess: () => (setMessage("Plan saved."), refresh()) }));
  const credit = useMutation(trpc.operator.issueCredit.mutationOptions({ onSuccess: () => (setMessage("Credit issued: it appears on this month's invoice."), refresh()) }));

  function savePlan(event: FormEvent<HTMLFormElement>, organizationId: string) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    setMessage(null);
    setPlan.mutate({ organizationId, includedGB: Number(f.get("includedGB")), pricePerGB: Number(f.get("pricePerGB")) });
  }
  function issue(event: FormEvent<HTMLFormElement>, organizationId: string) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    setMessage(null);
    credit.mutate({ organizationId, amountCents: Math.round(Number(f.get("dollars")) * 100), reason: String(f.get("reason")) });
  }

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Operator: billing plans</h1>
          <div className="muted">Every organization&apos;s plan (GB = 10<sup>9</sup> bytes moved per UTC month) and this month&apos;s usage. Changes are recorded in the organization&apos;s audit log.</div>
        </div>
      </div>
      {orgs.error && <div className="error" role="alert">{errorMessage(orgs.error)}</div>}
      {(setPlan.error || credit.error) && <div className="error" role="alert">{errorMessage(setPlan.error ?? credit.error)}</div>}
      {message && <div className="success" role="status" style={{ marginBottom: 12 }}>{message}</div>}
      {orgs.data && (
        <section className="card">
          <table data-testid="operator-orgs">
            <thead><tr><th>Organization</th><th>This month</th><th>Plan</th><th>Credit</th></tr></thead>
            <tbody>
              {orgs.data.map((o) => (
                <tr key={o.id} data-testid="operator-org">
                  <td>{o.name}<div className="muted" style={{ fontSize: 12 }}>{o.members} member(s), {o.custom ? "custom plan" : "standard plan"}: {o.includedGB.toLocaleString("en-US")} GB, then {pricePerGB(o.priceMicrosPerGB)}/GB</div></td>
                  <td className="nowrap">{gb(o.usageBytes)}<div className="muted">{cents(o.totalCents)}</div></td>
                  <td>
                    <form className="inline" onSubmit={(e) => savePlan(e, o.id)} aria-label={`Plan of ${o.name}`}>
                      <label>Included GB <input name="includedGB" type="number" min={0} step={1} defaultValue={o.includedGB} style={{ width: 90 }} aria-label={`Included GB for ${o.name}`} /></label>
                      <label>$ per GB <input name="pricePerGB" type="number" min={0} step="0.000001" defaultValue={o.priceMicrosPerGB / 1e6} style={{ width: 90 }} aria-label={`Price per GB for ${o.name}`} /></label>
                      <button type="submit" disabled={setPlan.isPending}>Save plan</button>
                    </form>
                  </td>
                  <td>
                    <form className="inline" onSubmit={(e) => issue(e, o.id)} aria-label={`Credit for ${o.name}`}>
                      <label>$ <input name="dollars" type="number" min={0.01} step="0.01" required style={{ width: 70 }} /></label>
                      <label>Reason <input name="reason" required maxLength={200} style={{ width: 120 }} /></label>
                      <button type="submit" className="secondary" disabled={credit.isPending}>Credit</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { roleAtLeast } from "@crossdock/policy/roles";
import { errorMessage } from "~/components/errors";
import { formatDate } from "~/components/format";
import { useTRPC } from "~/trpc/react";
import { cents, gb, pricePerGB } from "./money";

export default function BillingPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const plan = useQuery(trpc.billing.plan.queryOptions());
  const invoices = useQuery(trpc.billing.invoices.queryOptions());
  const isAdmin = !!me.data?.active && roleAtLeast(me.data.active.role, "ADMIN");

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Billing</h1>
          <div className="muted">{me.data?.active?.name}: pay per gigabyte moved, invoiced per UTC month from the metering ledger.</div>
        </div>
      </div>
      <section className="card" data-testid="plan">
        <h2>Plan</h2>
        {plan.data && (
          <>
            <p style={{ margin: 0, fontSize: 16 }}>
              <strong>{plan.data.includedGB.toLocaleString("en-US")} GB</strong> moved per month included, then <strong>{pricePerGB(plan.data.priceMicrosPerGB)}</strong> per GB.
              {!plan.data.custom && <span className="muted"> (standard plan)</span>}
            </p>
            <p className="muted" style={{ marginBottom: 0 }}>
              A gigabyte is 10<sup>9</sup> bytes (decimal GB). Each object version copied is metered once, however often a copy is retried or resumed.
              Amounts are whole cents: the bytes beyond the allowance are priced exactly and rounded half up to the cent, once per invoice.
              Invoices close at the end of each UTC month and never change afterwards; corrections appear as credit lines on a later invoice.
            </p>
          </>
        )}
      </section>
      <section className="card">
        <h2>Invoices</h2>
        {invoices.data && (
          <table data-testid="invoices">
            <thead><tr><th>Month</th><th>Status</th><th>Moved</th><th>Billable</th><th>Total</th></tr></thead>
            <tbody>
              {invoices.data.map((i) => (
                <tr key={i.month}>
                  <td><Link href={`/billing/${i.month}`}>{i.month}</Link></td>
                  <td><span className={`badge ${i.status === "OPEN" ? "QUEUED" : ""}`}>{i.status === "OPEN" ? "open (month so far)" : "finalized"}</span></td>
                  <td>{gb(i.usageBytes)}</td>
                  <td>{gb(i.billableBytes)}</td>
                  <td><strong>{cents(i.totalCents)}</strong></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {isAdmin && <ApiTokens />}
    </>
  );
}

function ApiTokens() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.billing.tokens.queryOptions());
  const [shown, setShown] = useState<string | null>(null);
  // A refetch started before the change (the list's first load) is cancelled and started again.
  const refresh = () => queryClient.refetchQueries(trpc.billing.tokens.queryFilter(), { cancelRefetch: true });
  const create = useMutation(trpc.billing.createToken.mutationOptions({ onSuccess: (t) => (setShown(t.token), refresh()) }));
  const revoke = useMutation(trpc.billing.revokeToken.mutationOptions({ onSuccess: refresh }));
  const origin = typeof window === "undefined" ? "" : window.location.origin;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    create.mutate({ name: String(new FormData(form).get("name")) }, { onSuccess: () => form.reset() });
  }

  return (
    <section className="card">
      <h2>API tokens</h2>
      <p className="muted">
        For your own tools: <code>curl -H &quot;Authorization: Bearer $TOKEN&quot; {origin}/api/v1/usage?from=YYYY-MM-DD&amp;to=YYYY-MM-DD</code> returns this
        organization&apos;s usage and current invoice as JSON. Only a hash of each token is stored: copy it when it is shown.
      </p>
      <form className="inline" onSubmit={submit}>
        <label>Token name <input name="name" required maxLength={100} placeholder="e.g. finance dashboard" /></label>
        <button type="submit" disabled={create.isPending}>Create token</button>
      </form>
      {create.error && <div className="error" role="alert" style={{ marginTop: 10 }}>{errorMessage(create.error)}</div>}
      {shown && (
        <div className="success" role="status" style={{ marginTop: 12 }}>
          Copy this token now; it is not shown again.
          <div className="linkbox" style={{ marginTop: 6 }}>
            <input readOnly value={shown} aria-label="New API token" onFocus={(e) => e.target.select()} />
            <button type="button" className="secondary" onClick={() => setShown(null)}>Done</button>
          </div>
        </div>
      )}
      {!!tokens.data?.length && (
        <table style={{ marginTop: 14 }} data-testid="api-tokens">
          <thead><tr><th>Name</th><th>Token</th><th>Created</th><th>Last used</th><th></th></tr></thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}<div className="muted" style={{ fontSize: 12 }}>by {t.createdBy ?? "a former member"}</div></td>
                <td><code>{t.prefix}…</code></td>
                <td className="nowrap muted">{formatDate(t.createdAt)}</td>
                <td className="nowrap muted">{t.lastUsedAt ? formatDate(t.lastUsedAt) : "never"}</td>
                <td>
                  {t.revokedAt ? <span className="badge FAILED">revoked</span> : (
                    <button className="danger" onClick={() => confirm(`Revoke "${t.name}"? Tools using it stop working at once.`) && revoke.mutate({ id: t.id })}>Revoke</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoke.error && <div className="error" role="alert">{errorMessage(revoke.error)}</div>}
    </section>
  );
}

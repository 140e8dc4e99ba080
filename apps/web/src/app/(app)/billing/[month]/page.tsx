"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { errorMessage } from "~/components/errors";
import { formatDate } from "~/components/format";
import { useTRPC } from "~/trpc/react";
import { cents, gb, pricePerGB } from "../money";

const kindLabel: Record<string, string> = { USAGE: "Migration", ALLOWANCE: "Included allowance", CREDIT: "Credit" };

export default function InvoicePage() {
  const { month } = useParams<{ month: string }>();
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const invoice = useQuery(trpc.billing.invoice.queryOptions({ month }));
  const i = invoice.data;
  return (
    <>
      <div className="page-head">
        <div>
          <div className="muted"><Link href="/billing">Billing</Link> /</div>
          <h1>Invoice {month}</h1>
          <div className="muted">{me.data?.active?.name}</div>
        </div>
        {i && <a className="button" href={`/api/invoices/${month}`} download>Download CSV</a>}
      </div>
      {invoice.error && <div className="error" role="alert">{errorMessage(invoice.error)}</div>}
      {i && (
        <section className="card" data-testid="invoice">
          <p style={{ marginTop: 0 }}>
            <span className={`badge ${i.status === "OPEN" ? "QUEUED" : ""}`} data-testid="invoice-status">{i.status === "FINALIZED" ? "finalized" : i.closed ? "closed, being finalized" : "open: the month so far"}</span>{" "}
            {i.finalizedAt && <span className="muted">on {formatDate(i.finalizedAt)}</span>}
          </p>
          <p className="muted">
            Plan: {i.includedGB.toLocaleString("en-US")} GB included, then {pricePerGB(i.priceMicrosPerGB)} per GB (1 GB = 10<sup>9</sup> bytes). Moved {gb(i.usageBytes, 9)}, of which {gb(i.billableBytes, 9)} beyond the allowance.
          </p>
          <table data-testid="invoice-lines">
            <thead><tr><th>#</th><th>Item</th><th>Description</th><th style={{ textAlign: "right" }}>GB</th><th style={{ textAlign: "right" }}>Amount</th></tr></thead>
            <tbody>
              {i.lines.map((l) => (
                <tr key={l.position} data-testid={`line-${l.kind.toLowerCase()}`}>
                  <td className="muted">{l.position}</td>
                  <td className="nowrap">{kindLabel[l.kind]}</td>
                  <td>{l.migrationId ? <Link href={`/migrations/${l.migrationId}`}>{l.description}</Link> : l.description}</td>
                  <td className="nowrap" style={{ textAlign: "right" }}>{l.kind === "CREDIT" ? "" : gb(l.bytes, 6)}</td>
                  <td className="nowrap" style={{ textAlign: "right" }}>{cents(l.amountCents)}</td>
                </tr>
              ))}
              <tr>
                <td colSpan={4} style={{ textAlign: "right", fontWeight: 700 }}>Total</td>
                <td style={{ textAlign: "right", fontWeight: 700 }} data-testid="invoice-total">{cents(i.totalCents)}</td>
              </tr>
            </tbody>
          </table>
          <p className="muted" style={{ fontSize: 12, marginBottom: 0 }}>
            Migration lines price each migration&apos;s bytes at the plan price (rounded half up to the cent); the allowance line takes off what the included gigabytes
            cover, so the total is the bytes beyond the allowance priced once and rounded half up to the cent.
          </p>
        </section>
      )}
    </>
  );
}

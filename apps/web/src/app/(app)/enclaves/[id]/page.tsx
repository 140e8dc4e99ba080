"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { useState } from "react";
import { errorMessage } from "~/components/errors";
import { formatBytes, formatDate, providerLabel } from "~/components/format";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "~/server/routers/_app";
import { useTRPC } from "~/trpc/react";

type Role = "HOST" | "CONTRIBUTOR" | "ANALYST" | "OBSERVER";
const canRead = (role: Role) => role !== "OBSERVER";
const canContribute = (role: Role) => role === "HOST" || role === "CONTRIBUTOR";
const toInput = (d: Date) => d.toISOString().slice(0, 16);

export default function EnclavePage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const enclave = useQuery(
    trpc.enclave.get.queryOptions({ id }, { refetchInterval: (q) => (q.state.data?.contributions.some((c) => c.state === "QUEUED" || c.state === "MATERIALIZING") ? 2_000 : false) }),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.enclave.get.queryKey({ id }) });
  const e = enclave.data;
  if (enclave.error) return <div className="error" role="alert">{errorMessage(enclave.error)}</div>;
  if (!e) return <p className="muted">Loading…</p>;
  const role = e.role as Role;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{e.name}</h1>
          <div className="muted">{e.purpose}</div>
          <div style={{ marginTop: 6 }}>
            Hosted by <strong>{e.host}</strong> · your role: <span className="badge" data-testid="enclave-role">{role.toLowerCase()}</span> ·{" "}
            <span className={`badge ${e.ended ? "FAILED" : ""}`} data-testid="enclave-state">{e.state === "TORN_DOWN" ? "torn down" : e.ended ? "ended" : "open"}</span>
          </div>
          <div className="muted" style={{ marginTop: 4 }}>
            {formatDate(e.startsAt)} → {formatDate(e.endsAt)} · data on {providerLabel[e.placement.provider]}
            {"bucket" in e.placement && <> ({e.placement.account}, <code>{e.placement.bucket}/{e.placement.prefix}</code>)</>}
          </div>
        </div>
      </div>
      {e.state === "TORN_DOWN" && (
        <div className="notice" style={{ marginBottom: 18 }} data-testid="teardown-report">
          Torn down {e.tornDownAt && formatDate(e.tornDownAt)}: {(e.teardownReport as { deletedObjects?: number } | null)?.deletedObjects ?? 0} objects deleted, the prefix verified empty by listing.
        </div>
      )}
      {role === "HOST" && !e.ended && <HostActions id={id} endsAt={new Date(e.endsAt)} onChange={refresh} />}
      <Members enclave={e} onChange={refresh} />
      {canRead(role) && <Contributions enclave={e} onChange={refresh} />}
      {canRead(role) && <Objects id={id} ended={e.ended} />}
      <AuditLog id={id} />
    </>
  );
}

type Enclave = inferRouterOutputs<AppRouter>["enclave"]["get"];

function HostActions({ id, endsAt, onChange }: { id: string; endsAt: Date; onChange: () => void }) {
  const trpc = useTRPC();
  const [newEnd, setNewEnd] = useState(() => toInput(new Date(endsAt.getTime() + 7 * 86_400_000)));
  const extend = useMutation(trpc.enclave.extend.mutationOptions({ onSuccess: onChange }));
  const close = useMutation(trpc.enclave.close.mutationOptions({ onSuccess: onChange }));
  return (
    <section className="card">
      <h2>Time box</h2>
      <form className="inline" onSubmit={(ev) => (ev.preventDefault(), extend.mutate({ id, endsAt: new Date(`${newEnd}:00Z`) }))}>
        <label>
          New end (UTC)
          <input type="datetime-local" aria-label="New end" value={newEnd} onChange={(ev) => setNewEnd(ev.target.value)} />
        </label>
        <button type="submit" className="secondary" disabled={extend.isPending}>Extend</button>
        <button type="button" className="danger" disabled={close.isPending} onClick={() => confirm("Close the enclave now? Access ends at once and its data is deleted.") && close.mutate({ id })}>
          Close now
        </button>
      </form>
      {(extend.error || close.error) && <div className="error" role="alert" style={{ marginTop: 10 }}>{errorMessage(extend.error ?? close.error)}</div>}
    </section>
  );
}

function Members({ enclave: e, onChange }: { enclave: Enclave; onChange: () => void }) {
  const trpc = useTRPC();
  const [role, setRole] = useState<"CONTRIBUTOR" | "ANALYST" | "OBSERVER">("ANALYST");
  const [note, setNote] = useState("");
  const invite = useMutation(trpc.enclave.invite.mutationOptions({ onSuccess: onChange }));
  const remove = useMutation(trpc.enclave.removeMember.mutationOptions({ onSuccess: onChange }));
  const host = e.role === "HOST";
  const link = invite.data ? `${typeof window === "undefined" ? "" : window.location.origin}${invite.data.path}` : "";
  return (
    <section className="card">
      <h2>Member organizations</h2>
      {e.members.length === 0 ? (
        <p className="muted">No member organizations yet.</p>
      ) : (
        <table>
          <thead><tr><th>Organization</th><th>Role</th><th>Joined</th><th></th></tr></thead>
          <tbody>
            {e.members.map((m) => (
              <tr key={m.id} data-testid="enclave-member">
                <td>{m.organization}{m.self && <span className="muted"> (you)</span>}</td>
                <td><span className="badge">{m.role.toLowerCase()}</span></td>
                <td className="muted nowrap">{formatDate(m.joinedAt)}{m.removedAt && <> · removed {formatDate(m.removedAt)}</>}</td>
                <td>{host && !m.removedAt && !e.ended && <button className="danger" onClick={() => confirm(`Remove ${m.organization}? Its access ends at once.`) && remove.mutate({ id: e.id, memberId: m.id })}>Remove</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {host && !e.ended && (
        <>
          <h2 style={{ marginTop: 18 }}>Invite an organization</h2>
          <p className="muted">Send the link to an owner or admin of the other organization. It works once and expires in 7 days or at the enclave's end.</p>
          <form className="inline" onSubmit={(ev) => (ev.preventDefault(), invite.mutate({ id: e.id, role, note: note || undefined }))}>
            <label>
              Role
              <select aria-label="Invitation role" value={role} onChange={(ev) => setRole(ev.target.value as typeof role)}>
                <option value="CONTRIBUTOR">contributor (adds data, reads)</option>
                <option value="ANALYST">analyst (reads data)</option>
                <option value="OBSERVER">observer (audit log only)</option>
              </select>
            </label>
            <label>
              For <span className="muted">(a note)</span>
              <input value={note} onChange={(ev) => setNote(ev.target.value)} placeholder="e.g. Acme Pharma data team" />
            </label>
            <button type="submit" disabled={invite.isPending}>Create invitation link</button>
          </form>
          {invite.data && (
            <div className="linkbox" style={{ marginTop: 10 }}>
              <input readOnly aria-label="Invitation link" value={link} onFocus={(ev) => ev.target.select()} />
              <button type="button" className="secondary" onClick={() => navigator.clipboard?.writeText(link)}>Copy</button>
            </div>
          )}
          {(invite.error || remove.error) && <div className="error" role="alert" style={{ marginTop: 10 }}>{errorMessage(invite.error ?? remove.error)}</div>}
          {e.invitations.length > 0 && (
            <table style={{ marginTop: 12 }}>
              <thead><tr><th>Invitation</th><th>Role</th><th>Status</th></tr></thead>
              <tbody>
                {e.invitations.map((i) => (
                  <tr key={i.id}>
                    <td>{i.note ?? <span className="muted">no note</span>}</td>
                    <td>{i.role.toLowerCase()}</td>
                    <td className="muted">{i.acceptedAt ? `used by ${i.acceptedBy}` : i.revokedAt ? "revoked" : `open until ${formatDate(i.expiresAt)}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function Contributions({ enclave: e, onChange }: { enclave: Enclave; onChange: () => void }) {
  const trpc = useTRPC();
  const mayContribute = canContribute(e.role as Role) && !e.ended;
  const subsets = useQuery(trpc.enclave.mySubsets.queryOptions(undefined, { enabled: mayContribute }));
  const [subsetId, setSubsetId] = useState("");
  const add = useMutation(trpc.enclave.contribute.mutationOptions({ onSuccess: onChange }));
  return (
    <section className="card">
      <h2>Contributions</h2>
      {e.contributions.length === 0 ? (
        <p className="muted">Nothing contributed yet.</p>
      ) : (
        <table>
          <thead><tr><th>Contributor</th><th>Subset</th><th>State</th><th>Objects</th><th>Manifest</th></tr></thead>
          <tbody>
            {e.contributions.map((c) => (
              <tr key={c.id} data-testid="contribution-row">
                <td>{c.contributor}</td>
                <td>{c.subset} <span className="muted">v{c.version}</span></td>
                <td><span className={`badge ${c.state === "FAILED" ? "FAILED" : c.state === "READY" || c.state === "DELETED" ? "" : "RUNNING"}`}>{c.state.toLowerCase()}</span>{c.error && <div className="error">{c.error}</div>}</td>
                <td>{c.objects} · {formatBytes(c.bytes)}</td>
                <td>{c.manifest ? <span className={c.manifest.verified ? "badge" : "badge FAILED"}>{c.manifest.verified ? "signed by Crossdock ✓" : "signature invalid"}</span> : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {mayContribute && (
        <form className="inline" style={{ marginTop: 12 }} onSubmit={(ev) => (ev.preventDefault(), add.mutate({ id: e.id, subsetId }))}>
          <label>
            Contribute one of your subsets <span className="muted">(its latest version, de-identified by its rules)</span>
            <select aria-label="Subset to contribute" value={subsetId} onChange={(ev) => setSubsetId(ev.target.value)} required>
              <option value="">Choose…</option>
              {subsets.data?.map((s) => (
                <option key={s.id} value={s.id}>{s.name} (v{s.version})</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={add.isPending || !subsetId}>Contribute</button>
        </form>
      )}
      {add.error && <div className="error" role="alert" style={{ marginTop: 10 }}>{errorMessage(add.error)}</div>}
    </section>
  );
}

function Objects({ id, ended }: { id: string; ended: boolean }) {
  const trpc = useTRPC();
  const [shown, setShown] = useState(false);
  // Every listing is recorded on the audit chain: list on request, not on every render.
  const objects = useQuery(trpc.enclave.objects.queryOptions({ id }, { enabled: shown, retry: false, refetchOnWindowFocus: false, staleTime: Infinity }));
  const link = useMutation(
    trpc.enclave.downloadLink.mutationOptions({
      onSuccess: (l) => {
        window.location.assign(l.url);
      },
    }),
  );
  return (
    <section className="card">
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <h2>Data</h2>
        <button className="secondary" disabled={ended && !shown} onClick={() => (shown ? objects.refetch() : setShown(true))}>{shown ? "List again" : "List objects"}</button>
      </div>
      {ended && !shown && <p className="muted">The enclave has ended: its data is no longer available.</p>}
      {objects.error && <div className="error" role="alert">{errorMessage(objects.error)}</div>}
      {link.error && <div className="error" role="alert" data-testid="download-error">{errorMessage(link.error)}</div>}
      {link.data && <p className="muted" data-testid="download-note">Link valid until {formatDate(link.data.expiresAt)} ({link.data.via === "signed" ? "signed by the provider" : "streamed by Crossdock"}).</p>}
      {objects.data && (
        <table>
          <thead><tr><th>Object</th><th>Contributor</th><th>Size</th><th></th></tr></thead>
          <tbody>
            {objects.data.objects.map((o) => (
              <tr key={o.key} data-testid="enclave-object">
                <td><code>{o.path}</code></td>
                <td>{o.contributor}</td>
                <td className="nowrap">{formatBytes(o.size)}</td>
                <td><button className="secondary" aria-label={`Download ${o.path}`} disabled={link.isPending} onClick={() => link.mutate({ id, key: o.key })}>Download</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {objects.data?.objects.length === 0 && <p className="muted">No materialized contributions yet.</p>}
    </section>
  );
}

function AuditLog({ id }: { id: string }) {
  const trpc = useTRPC();
  const log = useQuery(trpc.enclave.audit.queryOptions({ id }, { refetchInterval: 5_000 }));
  const verify = useMutation(trpc.enclave.verifyAudit.mutationOptions());
  const exportLog = useMutation(
    trpc.enclave.exportAudit.mutationOptions({
      onSuccess: (text) => {
        const url = URL.createObjectURL(new Blob([text], { type: "application/x-ndjson" }));
        const a = document.createElement("a");
        a.href = url;
        a.download = `enclave-${id}-audit.jsonl`;
        a.click();
        URL.revokeObjectURL(url);
      },
    }),
  );
  const v = verify.data;
  return (
    <section className="card">
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", gap: 8 }}>
        <h2>Audit log</h2>
        <div style={{ display: "flex", gap: 8 }}>
          <button className="secondary" onClick={() => verify.mutate({ id })} disabled={verify.isPending}>Verify</button>
          <button className="secondary" onClick={() => exportLog.mutate({ id })} disabled={exportLog.isPending}>Export JSON lines</button>
        </div>
      </div>
      {v && (v.ok ? (
        <div className="success" role="status" data-testid="chain-verdict">Chain verified: {v.entries} entries, each linked to the one before. Head <code>{v.head.slice(0, 16)}…</code></div>
      ) : (
        <div className="error" role="alert" data-testid="chain-verdict">Chain broken at entry {v.brokenAt}: {v.reason}</div>
      ))}
      {(verify.error || log.error) && <div className="error" role="alert">{errorMessage(verify.error ?? log.error)}</div>}
      <table style={{ marginTop: 10 }}>
        <thead><tr><th>#</th><th>When</th><th>Who</th><th>What</th><th>Details</th></tr></thead>
        <tbody>
          {log.data?.map((entry) => (
            <tr key={entry.id} data-testid="audit-entry">
              <td className="muted">{entry.seq}</td>
              <td className="muted nowrap">{formatDate(entry.at)}</td>
              <td>{entry.organization}{entry.user && <div className="muted">{entry.user}</div>}</td>
              <td><code>{entry.action}</code></td>
              <td className="muted" style={{ fontSize: 12, wordBreak: "break-all" }}>{summary(entry.details as Record<string, unknown>)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function summary(details: Record<string, unknown>) {
  return Object.entries(details)
    .filter(([k]) => k !== "ip")
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { roleAtLeast, roles, type Role } from "@crossdock/policy/roles";
import { errorMessage } from "~/components/errors";
import { formatDate } from "~/components/format";
import { useTRPC } from "~/trpc/react";

export default function MembersPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const me = useQuery(trpc.auth.me.queryOptions());
  const role = me.data?.active?.role;
  const isAdmin = !!role && roleAtLeast(role, "ADMIN");
  const members = useQuery(trpc.member.list.queryOptions());
  const invitations = useQuery(trpc.invitation.list.queryOptions(undefined, { enabled: isAdmin }));
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const refresh = () => queryClient.invalidateQueries();
  const invite = useMutation(trpc.invitation.create.mutationOptions({ onSuccess: (r) => (setLink(`${window.location.origin}${r.path}`), setCopied(false), refresh()) }));
  const changeRole = useMutation(trpc.member.changeRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.member.remove.mutationOptions({ onSettled: refresh }));
  const revoke = useMutation(trpc.invitation.revoke.mutationOptions({ onSettled: refresh }));
  const leave = useMutation(trpc.member.leave.mutationOptions({ onSuccess: async () => (await refresh(), router.push("/dashboard")) }));
  const problem = errorMessage(changeRole.error ?? remove.error ?? revoke.error ?? leave.error);

  function submitInvite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    invite.mutate({ email: String(form.get("email")), role: String(form.get("role")) as Role });
  }

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Members</h1>
          <div className="muted">Owners and admins invite people, change roles and remove members.</div>
        </div>
        <button className="danger" onClick={() => confirm("Leave this organization?") && leave.mutate()}>Leave organization</button>
      </div>
      {problem && <div className="error" role="alert" style={{ marginBottom: 16 }}>{problem}</div>}

      <section className="card">
        <h2>Invite someone</h2>
        {role && !isAdmin && (
          <p className="notice" data-testid="invite-refused">Only owners and admins can invite people; you are {role.toLowerCase()} here.</p>
        )}
        <fieldset disabled={!isAdmin} style={{ border: 0, padding: 0, margin: 0 }}>
        <form className="inline" onSubmit={submitInvite}>
          <label style={{ flex: 1 }}>
            Email
            <input name="email" type="email" required placeholder="colleague@example.org" />
          </label>
          <label>
            Role
            <select name="role" defaultValue="MEMBER">
              {roles.map((r) => (
                <option key={r} value={r}>{r.toLowerCase()}</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={invite.isPending}>Create invitation link</button>
        </form>
        </fieldset>
        {invite.error && <div className="error" role="alert" style={{ marginTop: 12 }}>{errorMessage(invite.error)}</div>}
        {link && (
          <div style={{ marginTop: 14 }}>
            <div className="success">Invitation created. Copy this link and send it; it works once and expires in 7 days. It will not be shown again.</div>
            <div className="linkbox" style={{ marginTop: 8 }}>
              <input readOnly value={link} aria-label="Invitation link" onFocus={(e) => e.target.select()} />
              <button className="secondary" type="button" onClick={() => navigator.clipboard?.writeText(link).then(() => setCopied(true))}>{copied ? "Copied" : "Copy"}</button>
            </div>
          </div>
        )}
      </section>

      <section className="card">
        <h2>People</h2>
        <table>
          <thead>
            <tr><th>Name</th><th>Email</th><th>Role</th><th>Joined</th><th></th></tr>
          </thead>
          <tbody>
            {members.data?.map((m) => (
              <tr key={m.id} data-testid={`member-${m.user.email}`}>
                <td>{m.user.name}{m.isYou && <span className="muted"> (you)</span>}</td>
                <td>{m.user.email}</td>
                <td>
                  {isAdmin ? (
                    <select aria-label={`Role of ${m.user.email}`} value={m.role} onChange={(e) => changeRole.mutate({ membershipId: m.id, role: e.target.value as Role })}>
                      {roles.map((r) => (
                        <option key={r} value={r}>{r.toLowerCase()}</option>
                      ))}
                    </select>
                  ) : (
                    <span className="badge">{m.role.toLowerCase()}</span>
                  )}
                </td>
                <td className="muted">{formatDate(m.joinedAt)}</td>
                <td>{isAdmin && !m.isYou && <button className="danger" onClick={() => confirm(`Remove ${m.user.email}?`) && remove.mutate({ membershipId: m.id })}>Remove</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {isAdmin && (
        <section className="card">
          <h2>Open invitations</h2>
          {invitations.data?.length === 0 && <p className="muted">None.</p>}
          {!!invitations.data?.length && (
            <table>
              <thead>
                <tr><th>Email</th><th>Role</th><th>Invited by</th><th>Expires</th><th></th></tr>
              </thead>
              <tbody>
                {invitations.data.map((i) => (
                  <tr key={i.id}>
                    <td>{i.email}</td>
                    <td>{i.role.toLowerCase()}</td>
                    <td>{i.invitedBy}</td>
                    <td className={i.expired ? "error" : "muted"}>{i.expired ? "expired" : formatDate(i.expiresAt)}</td>
                    <td><button className="secondary" onClick={() => revoke.mutate({ invitationId: i.id })}>Revoke</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </>
  );
}

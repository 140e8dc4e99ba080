"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { errorMessage } from "~/components/errors";
import { formatDate } from "~/components/format";
import { useTRPC } from "~/trpc/react";

const unavailable = {
  invalid: "This enclave invitation link is not valid.",
  used: "This invitation has already been used: each link admits one organization once.",
  revoked: "The host revoked this invitation.",
  expired: "This invitation has expired.",
  ended: "The enclave has ended: it cannot be joined any more.",
} as const;

/** Accepting an enclave invitation: the signed-in admin's active organization joins (switch organization first to join another). */
export default function EnclaveInvitePage() {
  const { token } = useParams<{ token: string }>();
  const trpc = useTRPC();
  const router = useRouter();
  const invitation = useQuery(trpc.enclave.describeInvitation.queryOptions({ token }));
  const me = useQuery(trpc.auth.me.queryOptions());
  const accept = useMutation(trpc.enclave.acceptInvitation.mutationOptions({ onSuccess: (joined) => router.push(`/enclaves/${joined.enclaveId}`) }));
  const i = invitation.data;
  const org = me.data?.active;
  return (
    <section className="card" style={{ maxWidth: 640 }}>
      {!i && <p className="muted">Loading…</p>}
      {i && i.status !== "open" && (
        <>
          <h1>Invitation unavailable</h1>
          <div className="error" role="alert">{unavailable[i.status]} Ask the enclave's host for a new link.</div>
        </>
      )}
      {i && i.status === "open" && (
        <>
          <h1>Join the enclave “{i.enclaveName}”</h1>
          <p>
            <strong>{i.hostName}</strong> invites your organization as <span className="badge">{i.role.toLowerCase()}</span>.
          </p>
          <p className="muted">{i.purpose}</p>
          <p className="muted">The enclave ends {formatDate(i.endsAt)}; its data is deleted then. This link works once, until {formatDate(i.expiresAt)}.</p>
          {org && (
            <p>
              Joining as <strong data-testid="joining-org">{org.name}</strong> (you are {org.role.toLowerCase()}). To join with another organization, switch to it in the sidebar first.
            </p>
          )}
          {accept.error && <div className="error" role="alert">{errorMessage(accept.error)}</div>}
          <button onClick={() => accept.mutate({ token })} disabled={accept.isPending || !org}>Join enclave</button>
        </>
      )}
    </section>
  );
}

import Link from "next/link";
import { redirect } from "next/navigation";
import { Brand } from "~/components/Brand";
import { currentUserId } from "~/server/auth";
import { describeInvitation } from "~/server/services/organizations";
import { AcceptInvitation } from "./AcceptInvitation";

export const dynamic = "force-dynamic";

const reasons = {
  invalid: "This invitation link is not valid.",
  used: "This invitation has already been used.",
  expired: "This invitation has expired (invitations last 7 days).",
} as const;

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await describeInvitation(token);
  const userId = await currentUserId();
  if (invitation.status === "open" && !userId) {
    redirect(`/${invitation.hasAccount ? "sign-in" : "sign-up"}?invite=${encodeURIComponent(token)}`);
  }
  return (
    <div className="auth">
      <div className="card">
        <Brand />
        {invitation.status === "open" ? (
          <>
            <h1>Join {invitation.organizationName}</h1>
            <p className="muted">
              {invitation.invitedBy} invited {invitation.email} as {invitation.role.toLowerCase()}.
            </p>
            <AcceptInvitation token={token} />
          </>
        ) : (
          <>
            <h1>Invitation unavailable</h1>
            <div className="error">{reasons[invitation.status]} Ask the person who invited you for a new link.</div>
            <p><Link href="/">Go to Crossdock</Link></p>
          </>
        )}
      </div>
    </div>
  );
}

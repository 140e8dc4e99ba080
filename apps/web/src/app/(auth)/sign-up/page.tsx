import Link from "next/link";
import { Brand } from "~/components/Brand";
import { describeInvitation } from "~/server/services/organizations";
import { SignUpForm } from "./SignUpForm";

export const dynamic = "force-dynamic";

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ invite?: string }> }) {
  const { invite } = await searchParams;
  const invitation = invite ? await describeInvitation(invite) : null;
  const open = invitation?.status === "open" ? invitation : null;
  return (
    <div className="auth">
      <div className="card">
        <Brand />
        <h1>Create your account</h1>
        <p className="muted">
          {open ? `You are joining ${open.organizationName} as ${open.role.toLowerCase()}.` : "Move and share object data across clouds, with an audit trail."}
        </p>
        {invitation && !open && <div className="error">This invitation cannot be used ({invitation.status}). Ask for a new one.</div>}
        <SignUpForm inviteToken={open ? invite : undefined} invitedEmail={open?.email} />
        <p className="muted">
          Already have an account? <Link href={invite ? `/sign-in?invite=${encodeURIComponent(invite)}` : "/sign-in"}>Sign in</Link>
        </p>
      </div>
    </div>
  );
}

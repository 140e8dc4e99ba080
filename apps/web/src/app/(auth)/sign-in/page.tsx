import Link from "next/link";
import { Brand } from "~/components/Brand";
import { describeInvitation } from "~/server/services/organizations";
import { SignInForm } from "./SignInForm";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ invite?: string }> }) {
  const { invite } = await searchParams;
  const invitation = invite ? await describeInvitation(invite) : null;
  const open = invitation?.status === "open" ? invitation : null;
  return (
    <div className="auth">
      <div className="card">
        <Brand />
        <h1>Sign in</h1>
        {open && <p className="muted">Sign in as {open.email} to join {open.organizationName} as {open.role.toLowerCase()}.</p>}
        {invitation && !open && <div className="error">This invitation cannot be used ({invitation.status}). Ask for a new one.</div>}
        <SignInForm inviteToken={open ? invite : undefined} invitedEmail={open?.email} />
        <p className="muted">
          New to Crossdock? <Link href={invite ? `/sign-up?invite=${encodeURIComponent(invite)}` : "/sign-up"}>Create an account</Link>
        </p>
      </div>
    </div>
  );
}

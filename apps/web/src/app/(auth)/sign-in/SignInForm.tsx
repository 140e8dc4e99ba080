"use client";
import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { errorMessage } from "~/components/errors";
import { useTRPC } from "~/trpc/react";

export function SignInForm({ inviteToken, invitedEmail }: { inviteToken?: string; invitedEmail?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const accept = useMutation(trpc.invitation.accept.mutationOptions());
  const switchOrg = useMutation(trpc.organization.switch.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setPending(true);
    const form = new FormData(event.currentTarget);
    const result = await signIn("credentials", { email: String(form.get("email")), password: String(form.get("password")), redirect: false });
    if (!result?.ok) {
      setPending(false);
      return setError(result?.error ?? "Could not sign in.");
    }
    if (inviteToken) {
      const joined = await accept.mutateAsync({ token: inviteToken }).catch((e: unknown) => (setError(errorMessage(e)), null));
      if (joined) await switchOrg.mutateAsync({ organizationId: joined.organizationId });
    }
    router.push("/dashboard");
    router.refresh();
  }

  return (
    <form className="stack" onSubmit={submit}>
      <label>
        Email
        <input name="email" type="email" required autoComplete="email" defaultValue={invitedEmail} />
      </label>
      <label>
        Password
        <input name="password" type="password" required autoComplete="current-password" />
      </label>
      {error && <div className="error" role="alert">{error}</div>}
      <button type="submit" disabled={pending}>{inviteToken ? "Sign in and join" : "Sign in"}</button>
    </form>
  );
}

"use client";
import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { errorMessage } from "~/components/errors";
import { useTRPC } from "~/trpc/react";

export function SignUpForm({ inviteToken, invitedEmail }: { inviteToken?: string; invitedEmail?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const switchOrg = useMutation(trpc.organization.switch.mutationOptions());
  const [signInError, setSignInError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSignInError(null);
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email"));
    const password = String(form.get("password"));
    const result = await signUp
      .mutateAsync({ name: String(form.get("name")), email, password, organizationName: String(form.get("organizationName") ?? "") || undefined, inviteToken })
      .catch(() => null);
    if (!result) return;
    const signedIn = await signIn("credentials", { email, password, redirect: false });
    if (!signedIn?.ok) return setSignInError(signedIn?.error ?? "Could not sign in.");
    await switchOrg.mutateAsync({ organizationId: result.organizationId });
    router.push("/dashboard");
    router.refresh();
  }

  const problem = errorMessage(signUp.error) ?? signInError;
  return (
    <form className="stack" onSubmit={submit}>
      <label>
        Your name
        <input name="name" required autoComplete="name" />
      </label>
      <label>
        Work email
        <input name="email" type="email" required autoComplete="email" defaultValue={invitedEmail} readOnly={!!invitedEmail} />
      </label>
      <label>
        Password
        <input name="password" type="password" required minLength={10} autoComplete="new-password" />
        <span className="muted">At least 10 characters, mixing letters with digits or symbols.</span>
      </label>
      {!inviteToken && (
        <label>
          Organization
          <input name="organizationName" placeholder="e.g. Riverside Medical Center" maxLength={100} />
        </label>
      )}
      {problem && <div className="error" role="alert">{problem}</div>}
      <button type="submit" disabled={signUp.isPending}>{inviteToken ? "Create account and join" : "Create account"}</button>
    </form>
  );
}

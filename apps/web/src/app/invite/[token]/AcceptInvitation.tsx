"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { errorMessage } from "~/components/errors";
import { useTRPC } from "~/trpc/react";

export function AcceptInvitation({ token }: { token: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const switchOrg = useMutation(trpc.organization.switch.mutationOptions());
  const accept = useMutation(
    trpc.invitation.accept.mutationOptions({
      onSuccess: async (joined) => {
        await switchOrg.mutateAsync({ organizationId: joined.organizationId });
        router.push("/dashboard");
        router.refresh();
      },
    }),
  );
  return (
    <>
      {accept.error && <div className="error" role="alert">{errorMessage(accept.error)}</div>}
      <button onClick={() => accept.mutate({ token })} disabled={accept.isPending}>Accept invitation</button>
    </>
  );
}

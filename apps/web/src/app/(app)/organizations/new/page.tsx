"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { errorMessage } from "~/components/errors";
import { useTRPC } from "~/trpc/react";

export default function NewOrganizationPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const create = useMutation(
    trpc.organization.create.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        router.push("/dashboard");
      },
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name: String(new FormData(event.currentTarget).get("name")) });
  }
  return (
    <>
      <div className="page-head">
        <h1>New organization</h1>
      </div>
      <section className="card" style={{ maxWidth: 480 }}>
        <form className="stack" onSubmit={submit}>
          <label>
            Name
            <input name="name" required maxLength={100} placeholder="e.g. Northwind Pharma" />
          </label>
          {create.error && <div className="error">{errorMessage(create.error)}</div>}
          <button type="submit" disabled={create.isPending}>Create organization</button>
        </form>
      </section>
    </>
  );
}

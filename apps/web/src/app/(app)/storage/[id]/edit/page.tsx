"use client";
import { useQuery } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useTRPC } from "~/trpc/react";
import { AccountForm } from "../../AccountForm";
import { RequestRateForm } from "../../RequestRateForm";

export default function EditStorageAccountPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const trpc = useTRPC();
  const account = useQuery(trpc.storage.get.queryOptions({ id }));
  return (
    <>
      <div className="page-head">
        <h1>Edit {account.data?.name}</h1>
      </div>
      <section className="card" style={{ maxWidth: 640 }}>
        {account.data && <AccountForm initial={account.data} onSaved={() => router.push(`/storage/${id}`)} />}
      </section>
      <section className="card" style={{ maxWidth: 640, marginTop: 20 }}>
        <h2>Request rate limit</h2>
        {account.data && <RequestRateForm account={account.data} />}
      </section>
    </>
  );
}

"use client";
import { useRouter } from "next/navigation";
import { AccountForm } from "../AccountForm";

export default function NewStorageAccountPage() {
  const router = useRouter();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Add a storage account</h1>
          <div className="muted">Credentials are encrypted at rest and never sent back to the browser.</div>
        </div>
      </div>
      <section className="card" style={{ maxWidth: 640 }}>
        <AccountForm onSaved={(id) => router.push(`/storage/${id}`)} />
      </section>
    </>
  );
}

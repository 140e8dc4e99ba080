"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessage } from "~/components/errors";
import { useTRPC } from "~/trpc/react";
import { PlacePicker, type Place } from "../SourcePicker";

export default function NewSubsetPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [source, setSource] = useState<Place>({ accountId: "", bucket: "", prefix: "" });
  const create = useMutation(trpc.subset.create.mutationOptions({ onSuccess: (s) => router.push(`/subsets/${s.id}`) }));
  const ready = name.trim() && source.accountId && source.bucket;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>New subset</h1>
          <div className="muted">Name it and choose where its data lives. Next you choose files and add rules, with the detector&apos;s suggestions.</div>
        </div>
      </div>
      <section className="card">
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            // Tables and JSON start as they are (every column kept), so the detector flags each identifier
            // until it has a rule; VCF sample ids are pseudonymized from the start.
            create.mutate({
              name, description,
              definition: { sourceAccountId: source.accountId, sourceBucket: source.bucket, prefixes: [source.prefix], rules: { tabular: { columns: {}, defaultAction: "keep" }, json: { fields: {}, defaultAction: "keep" }, vcf: { samples: "hash" } } },
            });
          }}
        >
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Cardiac study for Pharma partner" />
          </label>
          <label>
            Description <span className="muted">(optional)</span>
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <PlacePicker label="Source" value={source} onChange={setSource} prefixHint="(optional, e.g. clinical/)" />
          <div><button disabled={!ready || create.isPending}>Create subset</button></div>
          {create.error && <div className="error" role="alert">{errorMessage(create.error)}</div>}
        </form>
      </section>
    </>
  );
}

"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "~/components/errors";
import { useTRPC } from "~/trpc/react";

/** The account's fleet-wide request limit: empty = the provider's default, 0 = no limit. */
export function RequestRateForm({ account }: { account: { id: string; requestsPerSecond: number | null; defaultRequestsPerSecond: number | null } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [value, setValue] = useState(account.requestsPerSecond === null ? "" : String(account.requestsPerSecond));
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation(
    trpc.storage.setRequestRate.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.storage.get.queryKey({ id: account.id }) }) }),
  );
  const fallback = account.defaultRequestsPerSecond === null ? "no limit" : `${account.defaultRequestsPerSecond.toLocaleString("en-US")} requests/s`;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.reset();
    const text = value.trim();
    const parsed = text === "" ? null : Number(text);
    if (parsed !== null && (!Number.isInteger(parsed) || parsed < 0)) {
      setProblem("Enter a whole number of requests per second (0 for no limit), or leave it empty for the default.");
      return;
    }
    setProblem(null);
    save.mutate({ id: account.id, requestsPerSecond: parsed });
  }

  const error = problem ?? errorMessage(save.error);
  const saved = save.data?.requestsPerSecond;
  return (
    <form className="stack" onSubmit={submit} onChange={() => save.reset()}>
      <p className="muted">
        Every Crossdock worker together sends at most this many requests per second to this account; throttling
        answers from the provider slow them all down. Empty uses the provider&apos;s default ({fallback}); 0 means no limit.
      </p>
      <label>
        Requests per second
        <input name="requestsPerSecond" inputMode="numeric" value={value} onChange={(e) => setValue(e.target.value)} placeholder={`default: ${fallback}`} />
      </label>
      {error && <div className="error" role="alert">{error}</div>}
      {save.isSuccess && (
        <div className="success" role="status">
          Saved: {saved === null || saved === undefined ? `the provider's default (${fallback})` : saved === 0 ? "no limit" : `${saved.toLocaleString("en-US")} requests/s`}.
        </div>
      )}
      <div>
        <button type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save limit"}</button>
      </div>
    </form>
  );
}

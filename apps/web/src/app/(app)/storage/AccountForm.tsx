"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "~/components/errors";
import { providerLabel } from "~/components/format";
import { useTRPC } from "~/trpc/react";

type Provider = "s3" | "azure" | "gcs" | "local";
export interface AccountFormValues {
  id?: string;
  name: string;
  provider: Provider;
  settings: Record<string, string | boolean>;
  hasSecret: boolean;
}

/** One form per provider type. Secret fields start empty; on edit, empty keeps the stored secret. */
export function AccountForm({ initial, onSaved }: { initial?: AccountFormValues; onSaved: (id: string) => void }) {
  const trpc = useTRPC();
  const [provider, setProvider] = useState<Provider>(initial?.provider ?? "s3");
  const test = useMutation(trpc.storage.testForm.mutationOptions());
  const create = useMutation(trpc.storage.create.mutationOptions({ onSuccess: (a) => onSaved(a.id) }));
  const update = useMutation(trpc.storage.update.mutationOptions({ onSuccess: (a) => onSaved(a.id) }));
  const s = initial?.settings ?? {};
  const secretHint = initial?.hasSecret ? "Stored. Leave empty to keep it." : undefined;

  function read(form: HTMLFormElement) {
    const f = new FormData(form);
    const text = (k: string) => String(f.get(k) ?? "").trim();
    const secret = (k: string) => (text(k) === "" ? undefined : text(k));
    switch (provider) {
      case "s3":
        return { provider, endpoint: text("endpoint"), region: text("region"), accessKeyId: text("accessKeyId"), secretAccessKey: secret("secretAccessKey"), forcePathStyle: f.get("forcePathStyle") === "on" } as const;
      case "azure":
        return { provider, accountName: text("accountName"), accountKey: secret("accountKey"), endpoint: text("endpoint") } as const;
      case "gcs":
        return { provider, projectId: text("projectId"), credentials: secret("credentials"), emulatorHost: text("emulatorHost") } as const;
      default:
        return { provider: "local" } as const;
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name"));
    const form = read(event.currentTarget);
    if (initial?.id) update.mutate({ id: initial.id, name, form });
    else create.mutate({ name, form });
  }

  const saving = create.isPending || update.isPending;
  const problem = errorMessage(create.error ?? update.error);
  return (
    <form className="stack" onSubmit={submit} onChange={() => test.reset()}>
      {!initial && (
        <div className="tabs" role="tablist">
          {(["s3", "azure", "gcs", "local"] as const).map((p) => (
            <button key={p} type="button" role="tab" aria-selected={p === provider} className={p === provider ? "" : "secondary"} onClick={() => (setProvider(p), test.reset())}>
              {providerLabel[p]}
            </button>
          ))}
        </div>
      )}
      <label>
        Account name
        <input name="name" required maxLength={100} defaultValue={initial?.name} placeholder="e.g. Research archive (Wasabi)" />
      </label>
      {provider === "s3" && (
        <>
          <label>
            Endpoint <span className="muted">(empty for AWS; e.g. https://s3.wasabisys.com, http://minio.internal:9000)</span>
            <input name="endpoint" defaultValue={String(s.endpoint ?? "")} placeholder="https://…" />
          </label>
          <label>
            Region
            <input name="region" required defaultValue={String(s.region ?? "us-east-1")} />
          </label>
          <label>
            Access key id
            <input name="accessKeyId" required defaultValue={String(s.accessKeyId ?? "")} autoComplete="off" />
          </label>
          <label>
            Secret access key
            <input name="secretAccessKey" type="password" autoComplete="new-password" placeholder={secretHint} required={!initial?.hasSecret} />
          </label>
          <label style={{ flexDirection: "row", alignItems: "center", gap: 8 }}>
            <input type="checkbox" name="forcePathStyle" defaultChecked={s.forcePathStyle === true} /> Path-style URLs (MinIO and most S3-compatible servers)
          </label>
        </>
      )}
      {provider === "azure" && (
        <>
          <label>
            Storage account name
            <input name="accountName" required defaultValue={String(s.accountName ?? "")} />
          </label>
          <label>
            Account key
            <input name="accountKey" type="password" autoComplete="new-password" placeholder={secretHint} required={!initial?.hasSecret} />
          </label>
          <label>
            Blob endpoint <span className="muted">(empty for https://&lt;account&gt;.blob.core.windows.net)</span>
            <input name="endpoint" defaultValue={String(s.endpoint ?? "")} />
          </label>
        </>
      )}
      {provider === "gcs" && (
        <>
          <label>
            Project id
            <input name="projectId" required defaultValue={String(s.projectId ?? "")} />
          </label>
          <label>
            Service account key (JSON)
            <textarea name="credentials" rows={5} placeholder={secretHint ?? '{"type":"service_account", …}'} style={{ fontFamily: "ui-monospace, monospace", fontSize: 12 }} />
          </label>
          <label>
            Emulator host <span className="muted">(testing only)</span>
            <input name="emulatorHost" defaultValue={String(s.emulatorHost ?? "")} />
          </label>
        </>
      )}
      {provider === "local" && <p className="muted">Objects are kept on this Crossdock server&apos;s disk, in a folder of this organization&apos;s own.</p>}
      {test.data && (test.data.ok ? (
        <div className="success" role="status">Connection works: {test.data.buckets.length} bucket(s){test.data.buckets.length ? `: ${test.data.buckets.slice(0, 8).join(", ")}` : ""}.</div>
      ) : (
        <div className="error" role="alert" data-testid="test-error">{test.data.message}</div>
      ))}
      {test.error && <div className="error" role="alert">{errorMessage(test.error)}</div>}
      {problem && <div className="error" role="alert">{problem}</div>}
      <div style={{ display: "flex", gap: 10 }}>
        <button
          type="button"
          className="secondary"
          disabled={test.isPending}
          onClick={(e) => test.mutate({ id: initial?.id, form: read(e.currentTarget.form!) })}
        >
          {test.isPending ? "Testing…" : "Test connection"}
        </button>
        <button type="submit" disabled={saving}>{initial ? "Save changes" : "Add account"}</button>
      </div>
    </form>
  );
}

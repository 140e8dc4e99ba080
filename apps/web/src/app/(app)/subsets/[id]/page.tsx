"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useMemo, useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import type { FieldRule } from "@crossdock/policy";
import type { FileKind, SubsetDefinition } from "@crossdock/subsets";
import { errorMessage } from "~/components/errors";
import { formatBytes, formatDate, stateLabel } from "~/components/format";
import type { AppRouter } from "~/server/routers/_app";
import { useTRPC } from "~/trpc/react";
import { PlacePicker, type Place } from "../SourcePicker";
import { describeRule, refineSuggestion, ruleChoices, ruleToken, tokenRule, type RuleContext, type RuleToken } from "./rules";

const kindLabels: Record<FileKind, string> = { csv: "CSV", tsv: "TSV", ndjson: "NDJSON", json: "JSON", vcf: "VCF", other: "Other (images, PDFs…)" };
const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);

function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(timer);
  }, [JSON.stringify(value), ms]); // eslint-disable-line react-hooks/exhaustive-deps
  return current;
}

export default function SubsetEditorPage() {
  // useSearchParams needs a Suspense boundary above it.
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <SubsetEditor />
    </Suspense>
  );
}

function SubsetEditor() {
  const { id } = useParams<{ id: string }>();
  const search = useSearchParams();
  const router = useRouter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const versionParam = search.get("version") ? Number(search.get("version")) : undefined;
  const subset = useQuery(trpc.subset.get.queryOptions({ id, version: versionParam }, { refetchInterval: (q) => (q.state.data?.materializations.some((m) => m.state === "QUEUED" || m.state === "RUNNING") ? 1_500 : false) }));
  const saved = subset.data?.version.definition;
  const [draft, setDraft] = useState<SubsetDefinition | undefined>();
  useEffect(() => {
    if (saved) setDraft(saved);
  }, [subset.data?.version.id]); // eslint-disable-line react-hooks/exhaustive-deps

  if (subset.error) return <div className="error" role="alert">{errorMessage(subset.error)}</div>;
  if (!subset.data || !draft) return <p className="muted">Loading…</p>;
  const s = subset.data;
  const viewingOld = s.version.number !== s.latestVersion;
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{s.name}</h1>
          <div className="muted">
            Version {s.version.number} of {s.latestVersion}
            {viewingOld && " (an older version: saving makes your edit the newest)"} · created {formatDate(s.version.createdAt)}
          </div>
        </div>
        <div className="row">
          <label>
            Version
            <select aria-label="Version" value={s.version.number} onChange={(e) => router.push(`/subsets/${id}?version=${e.target.value}`)}>
              {s.versions.map((v) => (
                <option key={v.id} value={v.number}>v{v.number} · {formatDate(v.createdAt)}</option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <Editor
        id={id}
        draft={draft}
        setDraft={setDraft}
        dirty={dirty}
        onSaved={async (version) => {
          await queryClient.invalidateQueries(trpc.subset.get.queryFilter());
          router.push(`/subsets/${id}?version=${version}`);
        }}
        versionNumber={s.version.number}
        materializations={s.materializations}
      />
    </>
  );
}

type Outputs = inferRouterOutputs<AppRouter>["subset"];
type Materializations = Outputs["get"]["materializations"];

function Editor({ id, draft, setDraft, dirty, onSaved, versionNumber, materializations }: {
  id: string; draft: SubsetDefinition; setDraft: (d: SubsetDefinition) => void; dirty: boolean; onSaved: (version: number) => Promise<void>; versionNumber: number; materializations: Materializations;
}) {
  const trpc = useTRPC();
  const definition = useDebounced(draft, 500);
  const hasSource = !!(definition.sourceAccountId && definition.sourceBucket);
  const count = useQuery(trpc.subset.count.queryOptions({ definition }, { enabled: hasSource, retry: false, placeholderData: (prev) => prev }));
  const review = useQuery(trpc.subset.review.queryOptions({ definition }, { enabled: hasSource, retry: false, placeholderData: (prev) => prev }));
  const previewable = (count.data?.sample ?? []).filter((o) => o.kind !== "other");
  const [previewKey, setPreviewKey] = useState("");
  const key = previewKey || previewable[0]?.key || "";
  const preview = useQuery(trpc.subset.preview.queryOptions({ id, definition, key }, { enabled: hasSource && !!key, retry: false, placeholderData: (prev) => prev }));
  const save = useMutation(trpc.subset.saveVersion.mutationOptions({ onSuccess: (r) => onSaved(r.version) }));
  const update = (patch: Partial<SubsetDefinition>) => setDraft({ ...draft, ...patch });
  const rules = draft.rules;

  const detected = review.data?.detected ?? [];
  const flagged = new Set((review.data?.flagged ?? []).map((f) => `${f.kind}:${f.field}`));
  const acknowledged = new Set(draft.acknowledged);
  const context = (kind: "tabular" | "json"): RuleContext => ({
    subjects: detected.filter((d) => d.kind === kind && (d.category === "otherId" || d.category === "mrn") && /patient|subject|person|participant|^pid$|^mrn$|\.id$/i.test(d.field)).map((d) => d.field),
    names: detected.filter((d) => d.kind === kind && d.category === "names" && !d.freeText).map((d) => d.field),
  });
  const setRule = (kind: "tabular" | "json", field: string, rule: FieldRule | undefined) => {
    if (kind === "tabular") {
      const columns = { ...(rules.tabular?.columns ?? {}) };
      if (rule) columns[field] = rule;
      else delete columns[field];
      update({ rules: { ...rules, tabular: { ...rules.tabular, columns } } });
    } else {
      const fields = { ...(rules.json?.fields ?? {}) };
      if (rule) fields[field] = rule;
      else delete fields[field];
      update({ rules: { ...rules, json: { ...rules.json, fields } } });
    }
  };
  const ruleOf = (kind: "tabular" | "json", field: string) => (kind === "tabular" ? rules.tabular?.columns[field] : rules.json?.fields[field]);
  const fieldRows = useMemo(() => {
    const rows = detected.map((d) => ({ kind: d.kind, field: d.field, detection: d }));
    for (const field of Object.keys(rules.tabular?.columns ?? {})) if (!rows.some((r) => r.kind === "tabular" && r.field === field)) rows.push({ kind: "tabular", field, detection: undefined as never });
    for (const field of Object.keys(rules.json?.fields ?? {})) if (!rows.some((r) => r.kind === "json" && r.field === field)) rows.push({ kind: "json", field, detection: undefined as never });
    return rows;
  }, [detected, rules]);
  const applySuggestions = () => {
    let next = rules;
    for (const b of review.data?.flagged ?? []) {
      const rule = refineSuggestion(b.field, b.suggested, context(b.kind));
      if (b.kind === "tabular") next = { ...next, tabular: { ...next.tabular, columns: { ...(next.tabular?.columns ?? {}), [b.field]: rule } } };
      else next = { ...next, json: { ...next.json, fields: { ...(next.json?.fields ?? {}), [b.field]: rule } } };
    }
    update({ rules: next });
  };
  const [newField, setNewField] = useState("");
  const source: Place = { accountId: draft.sourceAccountId, bucket: draft.sourceBucket, prefix: draft.prefixes.join(",") };

  return (
    <>
      <section className="card">
        <h2>Files</h2>
        <PlacePicker
          label="Source"
          value={source}
          onChange={(p) => update({ sourceAccountId: p.accountId, sourceBucket: p.bucket, prefixes: p.prefix.split(",").map((x) => x.trim()) })}
          prefixHint="(comma-separated for several)"
        />
        <div className="grid2" style={{ marginTop: 12 }}>
          <label>
            Include (globs relative to the prefix, one per line; empty = everything)
            <textarea aria-label="Include globs" rows={2} defaultValue={draft.selection.include.join("\n")} onChange={(e) => update({ selection: { ...draft.selection, include: lines(e.target.value) } })} placeholder={"**/*.csv\ngenomes/**"} />
          </label>
          <label>
            Exclude (globs, one per line)
            <textarea aria-label="Exclude globs" rows={2} defaultValue={draft.selection.exclude.join("\n")} onChange={(e) => update({ selection: { ...draft.selection, exclude: lines(e.target.value) } })} placeholder="**/*.tmp" />
          </label>
        </div>
        <div className="grid3" style={{ marginTop: 12 }}>
          <label>
            Smallest size (bytes)
            <input type="number" min={0} aria-label="Smallest size" value={draft.selection.minSize ?? ""} onChange={(e) => update({ selection: { ...draft.selection, minSize: e.target.value === "" ? undefined : Number(e.target.value) } })} />
          </label>
          <label>
            Largest size (bytes)
            <input type="number" min={0} aria-label="Largest size" value={draft.selection.maxSize ?? ""} onChange={(e) => update({ selection: { ...draft.selection, maxSize: e.target.value === "" ? undefined : Number(e.target.value) } })} />
          </label>
          <label>
            Modified since
            <input type="date" aria-label="Modified since" value={draft.selection.modifiedSince?.slice(0, 10) ?? ""} onChange={(e) => update({ selection: { ...draft.selection, modifiedSince: e.target.value || undefined } })} />
          </label>
        </div>
        <div style={{ marginTop: 12 }} data-testid="match-count">
          {count.isFetching && !count.data && <span className="muted">Counting…</span>}
          {count.error && <div className="error">{errorMessage(count.error)}</div>}
          {count.data && (
            <>
              <strong>
                {count.data.objects.toLocaleString("en-US")}{count.data.partial ? "+" : ""} matching objects, {formatBytes(count.data.bytes)}
              </strong>{" "}
              <span className="muted">
                · {count.data.included.objects.toLocaleString("en-US")} will be written ({formatBytes(count.data.included.bytes)}){count.isFetching ? " · updating…" : ""}
              </span>
              <table style={{ marginTop: 8 }}>
                <thead><tr><th>Kind</th><th>Objects</th><th>Bytes</th><th>Handling</th><th>Pass through as is</th></tr></thead>
                <tbody>
                  {Object.entries(count.data.byKind).map(([kind, k]) => (
                    <tr key={kind}>
                      <td>{kindLabels[kind as FileKind]}</td>
                      <td>{k!.objects.toLocaleString("en-US")}</td>
                      <td>{formatBytes(k!.bytes)}</td>
                      <td>
                        {k!.treatment === "transform" && <span className="badge ok">transformed by rules</span>}
                        {k!.treatment === "passThrough" && <span className="badge flag">copied unchanged</span>}
                        {k!.treatment === "excluded" && <span className="badge none">left out (no rules)</span>}
                      </td>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Pass ${kind} through`}
                          checked={draft.passThrough.includes(kind as FileKind)}
                          onChange={(e) => update({ passThrough: e.target.checked ? [...draft.passThrough, kind as FileKind] : draft.passThrough.filter((x) => x !== kind) })}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      </section>

      <section className="card">
        <div className="page-head" style={{ marginBottom: 8 }}>
          <h2>Rules</h2>
          {!!review.data?.flagged.length && <button className="secondary" onClick={applySuggestions}>Apply all suggestions</button>}
        </div>
        {review.error && <div className="error">{errorMessage(review.error)}</div>}
        {review.data?.files.filter((f) => f.error).map((f) => <div key={f.key} className="error">Malformed file: {f.error}</div>)}
        {!!review.data?.flagged.length && (
          <div className="notice" data-testid="flagged-notice" style={{ marginBottom: 10 }}>
            {new Set(review.data.flagged.map((f) => `${f.kind}:${f.field}`)).size} identifier-looking fields have no rule that removes them: add a rule, or acknowledge each one to share it anyway.
          </div>
        )}
        <div className="row" style={{ marginBottom: 10 }}>
          <label>
            Table columns without a rule
            <select aria-label="Default for table columns" value={rules.tabular?.defaultAction ?? rules.defaultAction ?? "drop"} onChange={(e) => update({ rules: { ...rules, tabular: { columns: rules.tabular?.columns ?? {}, defaultAction: e.target.value as "keep" | "drop" } } })}>
              <option value="keep">keep</option>
              <option value="drop">drop</option>
            </select>
          </label>
          <label>
            JSON fields without a rule
            <select aria-label="Default for JSON fields" value={rules.json?.defaultAction ?? rules.defaultAction ?? "drop"} onChange={(e) => update({ rules: { ...rules, json: { fields: rules.json?.fields ?? {}, defaultAction: e.target.value as "keep" | "drop" } } })}>
              <option value="keep">keep</option>
              <option value="drop">drop</option>
            </select>
          </label>
        </div>
        <table data-testid="rules-table">
          <thead><tr><th>Field</th><th>Looks like</th><th>Rule</th><th>Status</th></tr></thead>
          <tbody>
            {fieldRows.map(({ kind, field, detection }) => {
              const fid = `${kind}:${field}`;
              const rule = ruleOf(kind, field);
              const isFlagged = flagged.has(fid);
              const raw = review.data?.flagged.find((f) => `${f.kind}:${f.field}` === fid)?.suggested;
              const suggestion = raw && refineSuggestion(field, raw, context(kind));
              return (
                <tr key={fid} data-testid="rule-row" data-field={field}>
                  <td><code>{field}</code> <span className="muted">{kind === "tabular" ? "column" : "JSON"}</span></td>
                  <td>
                    {detection?.category ? <>{detection.category} <span className="muted">({Math.round(detection.confidence * 100)}%)</span></> : <span className="muted">—</span>}
                    {detection?.evidence[0] && <div className="muted" style={{ fontSize: 12 }}>{detection.evidence[0].why}</div>}
                  </td>
                  <td>
                    <select aria-label={`Rule for ${field}`} value={ruleToken(rule)} onChange={(e) => setRule(kind, field, tokenRule(e.target.value as RuleToken, field, context(kind)))}>
                      {ruleChoices.map(([token, label]) => <option key={token} value={token}>{label}</option>)}
                    </select>
                    {rule?.action === "dateShift" && (
                      <input aria-label={`Subject of ${field}`} style={{ marginLeft: 6, width: 140 }} value={rule.subject} onChange={(e) => setRule(kind, field, { action: "dateShift", subject: e.target.value })} placeholder="subject column" />
                    )}
                    {rule && rule.action !== "dateShift" && <div className="muted" style={{ fontSize: 12 }}>{describeRule(rule)}</div>}
                  </td>
                  <td>
                    {isFlagged && <span className="badge flag" data-testid="flagged">flagged: no rule removes it</span>}
                    {isFlagged && suggestion && (
                      <button className="secondary" style={{ marginLeft: 6, padding: "2px 8px" }} onClick={() => setRule(kind, field, suggestion)}>Use suggestion: {describeRule(suggestion)}</button>
                    )}
                    {(isFlagged || acknowledged.has(fid)) && (
                      <label style={{ flexDirection: "row", gap: 6, fontWeight: 400, marginTop: 4 }}>
                        <input type="checkbox" checked={acknowledged.has(fid)} onChange={(e) => update({ acknowledged: e.target.checked ? [...draft.acknowledged, fid] : draft.acknowledged.filter((x) => x !== fid) })} />
                        share without a rule (acknowledged)
                      </label>
                    )}
                    {!isFlagged && detection?.category && !acknowledged.has(fid) && <span className="badge ok">covered</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <form className="inline" style={{ marginTop: 10 }} onSubmit={(e) => (e.preventDefault(), newField.trim() && setRule(newField.startsWith("$") ? "json" : "tabular", newField.trim(), { action: "drop" }), setNewField(""))}>
          <label>
            Rule for another column or JSON path
            <input value={newField} onChange={(e) => setNewField(e.target.value)} placeholder="column name or $.path" />
          </label>
          <button className="secondary">Add</button>
        </form>
        <div className="grid2" style={{ marginTop: 14 }}>
          <label>
            VCF sample ids
            <select value={rules.vcf ? (rules.vcf.samples ?? "hash") : "none"} onChange={(e) => update({ rules: { ...rules, vcf: e.target.value === "none" ? undefined : { ...rules.vcf, samples: e.target.value as "hash" | "keep" } } })}>
              <option value="hash">pseudonymize (keyed hash)</option>
              <option value="keep">keep</option>
              <option value="none">no VCF rules (VCFs left out)</option>
            </select>
          </label>
          <label>
            VCF INFO / FORMAT fields to drop (comma-separated)
            <input
              defaultValue={[...(rules.vcf?.dropInfo ?? []).map((x) => `INFO:${x}`), ...(rules.vcf?.dropFormat ?? []).map((x) => `FORMAT:${x}`)].join(", ")}
              onChange={(e) => {
                const items = e.target.value.split(",").map((x) => x.trim()).filter(Boolean);
                if (rules.vcf) update({ rules: { ...rules, vcf: { ...rules.vcf, dropInfo: items.filter((x) => !x.startsWith("FORMAT:")).map((x) => x.replace(/^INFO:/, "")), dropFormat: items.filter((x) => x.startsWith("FORMAT:")).map((x) => x.slice(7)) } } });
              }}
              placeholder="INFO:DP, FORMAT:AD"
            />
          </label>
          <label>
            Object key segments to pseudonymize (regular expressions, one per line)
            <textarea rows={2} defaultValue={(rules.keys?.patterns ?? []).join("\n")} onChange={(e) => update({ rules: { ...rules, keys: { ...rules.keys, patterns: lines(e.target.value) } } })} placeholder={"P\\d{6}"} />
          </label>
          <label>
            User metadata to keep (names or globs, one per line; everything else is stripped)
            <textarea rows={2} defaultValue={(rules.keys?.metadataAllowList ?? []).join("\n")} onChange={(e) => update({ rules: { ...rules, keys: { ...rules.keys, metadataAllowList: lines(e.target.value) } } })} placeholder={"study-phase"} />
          </label>
        </div>
      </section>

      <section className="card">
        <h2>Preview</h2>
        <label style={{ maxWidth: 520 }}>
          File
          <select aria-label="Preview file" value={key} onChange={(e) => setPreviewKey(e.target.value)}>
            {previewable.map((o) => <option key={o.key} value={o.key}>{o.key}</option>)}
          </select>
        </label>
        {preview.error && <div className="error" style={{ marginTop: 10 }}>{errorMessage(preview.error)}</div>}
        {preview.data && <PreviewView preview={preview.data} />}
      </section>

      <section className="card">
        <h2>HIPAA Safe Harbor</h2>
        {review.data && (
          <table data-testid="safe-harbor">
            <thead><tr><th>#</th><th>Identifier category</th><th>Status</th><th>Covered by</th></tr></thead>
            <tbody>
              {review.data.report.categories.map((c, i) => (
                <tr key={c.category}>
                  <td>{i + 1}</td>
                  <td>{c.label}</td>
                  <td>
                    {c.status === "covered" && <span className="badge ok">covered</span>}
                    {c.status === "caveat" && <span className="badge caveat">covered, with a caveat</span>}
                    {c.status === "uncovered" && <span className="badge flag">not covered: {c.uncovered.join(", ")}</span>}
                    {c.status === "notDetected" && <span className="badge none">not detected</span>}
                  </td>
                  <td>
                    {c.coveredBy.length === 0 ? <span className="muted">no rule</span> : c.coveredBy.map((x) => <div key={`${x.kind}${x.field}`}><code>{x.field}</code> {x.action}</div>)}
                    {c.notes.map((n) => <div key={n} className="muted" style={{ fontSize: 12 }}>{n}</div>)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <PrivacyReport id={id} definition={definition} draft={draft} update={update} tableKey={preview.data?.kind === "tabular" ? key : ""} columns={preview.data?.kind === "tabular" ? preview.data.outputColumns : []} />

      <section className="card">
        <div className="row">
          <button disabled={!dirty || save.isPending} onClick={() => save.mutate({ id, definition: draft })}>Save as a new version</button>
          <span className="muted">{dirty ? "Unsaved changes: materializing uses the saved version." : `Version ${versionNumber} is saved.`} Each save is a new, immutable version.</span>
        </div>
        {save.error && <div className="error" role="alert" style={{ marginTop: 10 }}>{errorMessage(save.error)}</div>}
      </section>

      <Materialize id={id} versionNumber={versionNumber} dirty={dirty} blocked={!!review.data?.flagged.length} materializations={materializations} />
    </>
  );
}

function PreviewView({ preview }: { preview: Outputs["preview"] }) {
  if (preview.kind === "none") return <p className="muted">{preview.reason}</p>;
  if (preview.kind === "tabular") {
    return (
      <div className="side-by-side" data-testid="preview" style={{ marginTop: 12 }}>
        <div>
          <h3>Before</h3>
          <div className="scroll-x">
            <table><thead><tr>{preview.columns.map((c) => <th key={c}>{c}</th>)}</tr></thead>
              <tbody>{preview.before.map((r, i) => <tr key={i}>{r.map((v, j) => <td key={j}>{v}</td>)}</tr>)}</tbody></table>
          </div>
        </div>
        <div>
          <h3>After</h3>
          <div className="scroll-x">
            <table><thead><tr>{preview.outputColumns.map((c) => <th key={c}>{c}</th>)}</tr></thead>
              <tbody>{preview.after.map((r, i) => <tr key={i}>{r.map((v, j) => <td key={j}>{v}</td>)}</tr>)}</tbody></table>
          </div>
        </div>
      </div>
    );
  }
  const before = preview.kind === "lines" ? preview.before.join("\n") : preview.before.map((v) => JSON.stringify(v, null, 1)).join("\n");
  const after = preview.kind === "lines" ? preview.after.join("\n") : preview.after.map((v) => JSON.stringify(v, null, 1)).join("\n");
  return (
    <div className="side-by-side" data-testid="preview" style={{ marginTop: 12 }}>
      <div><h3>Before</h3><div className="scroll-x"><pre className="lines">{before}</pre></div></div>
      <div><h3>After</h3><div className="scroll-x"><pre className="lines">{after}</pre></div></div>
    </div>
  );
}

function PrivacyReport({ id, definition, draft, update, tableKey, columns }: {
  id: string; definition: SubsetDefinition; draft: SubsetDefinition; update: (p: Partial<SubsetDefinition>) => void; tableKey: string; columns: string[];
}) {
  const trpc = useTRPC();
  const enabled = !!tableKey && definition.quasiIdentifiers.length > 0;
  const report = useQuery(trpc.subset.privacy.queryOptions({ id, definition, key: tableKey }, { enabled, retry: false }));
  return (
    <section className="card">
      <h2>Privacy report</h2>
      <p className="muted" style={{ marginTop: 0 }}>
        Mark the quasi-identifiers of the table in the preview (columns that, combined, could single a person out). k is the size of the smallest group of rows sharing their values after the rules.
      </p>
      {!tableKey && <p className="muted">Preview a CSV or TSV table to choose its columns.</p>}
      <div className="row">
        {columns.map((c) => (
          <label key={c} style={{ flexDirection: "row", gap: 6, fontWeight: 400 }}>
            <input type="checkbox" aria-label={`Quasi-identifier ${c}`} checked={draft.quasiIdentifiers.includes(c)} onChange={(e) => update({ quasiIdentifiers: e.target.checked ? [...draft.quasiIdentifiers, c] : draft.quasiIdentifiers.filter((q) => q !== c) })} />
            {c}
          </label>
        ))}
        <label>
          Warn below k =
          <input type="number" min={2} max={1000} style={{ width: 90 }} value={draft.kThreshold} onChange={(e) => update({ kThreshold: Number(e.target.value) || 5 })} />
        </label>
      </div>
      {report.error && <div className="error" style={{ marginTop: 10 }}>{errorMessage(report.error)}</div>}
      {report.data && (
        <div style={{ marginTop: 10 }} data-testid="k-anonymity">
          <strong>k = {report.data.k}</strong> <span className="muted">over {report.data.quasiIdentifiers.join(", ")} · {report.data.groups.toLocaleString("en-US")} groups in {report.data.rows.toLocaleString("en-US")} rows of {report.data.key}</span>
          {report.data.warning && <div className="notice" style={{ marginTop: 8 }}>k is below {report.data.threshold}: {report.data.smallGroups} groups ({report.data.rowsInSmallGroups} rows) are smaller. Generalize or drop a quasi-identifier.</div>}
          {report.data.missing.length > 0 && <div className="muted">Not in the output: {report.data.missing.join(", ")}</div>}
        </div>
      )}
    </section>
  );
}

function Materialize({ id, versionNumber, dirty, blocked, materializations }: { id: string; versionNumber: number; dirty: boolean; blocked: boolean; materializations: Materializations }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [dest, setDest] = useState<Place>({ accountId: "", bucket: "", prefix: "" });
  const start = useMutation(trpc.subset.materialize.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.subset.get.queryFilter()) }));
  return (
    <section className="card">
      <h2>Materialize</h2>
      <p className="muted" style={{ marginTop: 0 }}>Writes version {versionNumber}&apos;s output into a bucket of any of your accounts, then a signed manifest of every object written.</p>
      <PlacePicker label="Destination" value={dest} onChange={setDest} prefixHint="(e.g. partner-share/)" />
      <div className="row" style={{ marginTop: 12 }}>
        <button disabled={!dest.accountId || !dest.bucket || start.isPending || dirty} onClick={() => start.mutate({ id, version: versionNumber, destination: dest })}>
          Materialize version {versionNumber}
        </button>
        {dirty && <span className="muted">Save your changes first.</span>}
        {!dirty && blocked && <span className="muted">Flagged fields need a rule or an acknowledgement.</span>}
      </div>
      {start.error && <div className="error" role="alert" style={{ marginTop: 10 }}>{errorMessage(start.error)}</div>}
      {materializations.length > 0 && (
        <table style={{ marginTop: 14 }} data-testid="runs">
          <thead><tr><th>Version</th><th>Destination</th><th>State</th><th>Progress</th><th>Manifest</th></tr></thead>
          <tbody>
            {materializations.map((m) => (
              <tr key={m.id} data-testid="run-row">
                <td>v{m.versionNumber}</td>
                <td className="muted">{m.destination.account}: {m.destination.bucket}/{m.destination.prefix}</td>
                <td>
                  <span className={`badge ${m.state}`}>{stateLabel(m.state)}</span>
                  {m.error && <div className="error" style={{ fontSize: 12, marginTop: 4 }}>{m.error}</div>}
                </td>
                <td style={{ minWidth: 200 }}>
                  <div className="progress" role="progressbar" aria-valuenow={m.percent} aria-valuemin={0} aria-valuemax={100}><div style={{ width: `${m.percent}%` }} /></div>
                  <div className="muted" style={{ fontSize: 12 }}>
                    {m.doneObjects.toLocaleString("en-US")} of {m.plannedObjects.toLocaleString("en-US")} objects · {formatBytes(m.doneBytes)} of {formatBytes(m.plannedBytes)}{m.skippedObjects ? ` · ${m.skippedObjects} left out` : ""}
                  </div>
                </td>
                <td>{m.manifestKey ? <Link href={`/subsets/${id}/runs/${m.id}`}>Manifest</Link> : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

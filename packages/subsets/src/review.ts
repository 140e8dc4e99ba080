// What the editor and the materialization guard know about a subset's data: identifier-looking
// columns and fields (from a sample of its files), the Safe Harbor report over them, and which flagged
// fields have neither a rule nor an acknowledgement (those block materializing and sharing).
import { Readable } from "node:stream";
import { DeidError, detectIdentifiers, detectJsonIdentifiers, readDelimitedRows, safeHarborReport, type DetectedField, type SafeHarborReport } from "@crossdock/policy";
import type { ObjectStore } from "@crossdock/providers";
import type { FileKind, SubsetDefinition } from "./definition.ts";
import { fileError, SubsetError } from "./errors.ts";
import { matchingObjects, type MatchedObject } from "./listing.ts";

/** How much of a file the detector reads. */
const SAMPLE_BYTES = 256 * 1024;
const SAMPLE_ROWS = 100;

export interface FileSample {
  key: string;
  kind: FileKind;
  detected: DetectedField[];
  /** The sample could not be read as its kind (the file is malformed): materializing will fail on it. */
  error?: string;
}

/** "tabular:ssn", "json:$.contact.email": how the editor names a field it acknowledges. */
export const fieldId = (f: { kind: string; field: string }) => `${f.kind}:${f.field}`;

/** Header and first rows of a table, or first records of NDJSON / a small JSON document. Undefined for other kinds. */
export async function sampleRecords(store: ObjectStore, bucket: string, object: Pick<MatchedObject, "key" | "kind" | "size">): Promise<
  { kind: "tabular"; header: string[]; rows: string[][] } | { kind: "json"; records: unknown[] } | undefined
> {
  if (object.kind === "vcf" || object.kind === "other") return undefined;
  if (object.kind === "json" && object.size > SAMPLE_BYTES) return undefined;
  const read = await store.readObject(bucket, object.key, { range: { offset: 0, length: SAMPLE_BYTES } });
  const body = read.body as Readable;
  try {
    if (object.kind === "csv" || object.kind === "tsv") {
      let header: string[] | undefined;
      const rows: string[][] = [];
      try {
        for await (const [fields] of readDelimitedRows(body, { delimiter: object.kind === "tsv" ? "\t" : "," })) {
          if (!header) header = fields;
          else rows.push(fields);
          if (rows.length >= SAMPLE_ROWS) break;
        }
      } catch (error) {
        // The sample may end inside a record: what was read before that still counts.
        if (!header) throw error;
      }
      return header ? { kind: "tabular", header, rows } : undefined;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (object.kind === "json") return { kind: "json", records: [JSON.parse(text)] };
    const records: unknown[] = [];
    for (const line of text.split("\n").slice(0, SAMPLE_ROWS)) {
      if (line.trim() === "") continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        break; // the sample's last line may be cut
      }
    }
    return { kind: "json", records };
  } finally {
    body.destroy();
  }
}

export async function detectFile(store: ObjectStore, bucket: string, object: Pick<MatchedObject, "key" | "kind" | "size">): Promise<DetectedField[]> {
  let sample: Awaited<ReturnType<typeof sampleRecords>>;
  try {
    sample = await sampleRecords(store, bucket, object);
  } catch (error) {
    if (error instanceof DeidError) throw fileError(error, object.key);
    if (error instanceof SyntaxError) throw new SubsetError("Malformed", `${object.key}: not valid JSON`, object.key);
    throw error;
  }
  if (!sample) return [];
  return sample.kind === "tabular" ? detectIdentifiers(sample.header, sample.rows) : detectJsonIdentifiers(sample.records);
}

export interface SubsetReview {
  /** The files sampled (up to `maxFilesPerKind` of each transformed kind). */
  files: FileSample[];
  detected: DetectedField[];
  report: SafeHarborReport;
  /** Blocking fields (detected identifiers no rule removes) that are not acknowledged. */
  flagged: SafeHarborReport["blocking"];
  /** Kinds copied as they are: the UI flags them. */
  passThrough: FileKind[];
}

type ReviewDefinition = Pick<SubsetDefinition, "sourceBucket" | "prefixes" | "selection" | "rules" | "passThrough" | "acknowledged">;

/** Samples the first files of each kind the subset transforms (or passes through), detects identifiers, judges the rules. */
export async function reviewSubset(store: ObjectStore, definition: ReviewDefinition, options: { maxFilesPerKind?: number; signal?: AbortSignal } = {}): Promise<SubsetReview> {
  const maxPerKind = options.maxFilesPerKind ?? 3;
  const picked: MatchedObject[] = [];
  const perKind = new Map<FileKind, number>();
  const passThrough = new Set<FileKind>();
  listing: for await (const page of matchingObjects(store, definition, { signal: options.signal })) {
    for (const o of page) {
      if (o.treatment === "passThrough") passThrough.add(o.kind);
      if (o.treatment === "excluded" || o.kind === "vcf" || o.kind === "other") continue;
      const n = perKind.get(o.kind) ?? 0;
      if (n >= maxPerKind) continue;
      perKind.set(o.kind, n + 1);
      picked.push(o);
      if (picked.length >= maxPerKind * 4) break listing;
    }
  }
  const files = await Promise.all(
    picked.map(async (o): Promise<FileSample> => {
      try {
        return { key: o.key, kind: o.kind, detected: await detectFile(store, definition.sourceBucket, o) };
      } catch (error) {
        if (error instanceof SubsetError) return { key: o.key, kind: o.kind, detected: [], error: error.message };
        throw error;
      }
    }),
  );
  // One entry per field: the strongest evidence across files.
  const byField = new Map<string, DetectedField>();
  for (const f of files) {
    for (const d of f.detected) {
      const prior = byField.get(fieldId(d));
      if (!prior || d.confidence > prior.confidence) byField.set(fieldId(d), d);
    }
  }
  const detected = [...byField.values()];
  const report = safeHarborReport(definition.rules, detected);
  const acknowledged = new Set(definition.acknowledged);
  const flagged = report.blocking.filter((b) => !acknowledged.has(fieldId(b)));
  return { files, detected, report, flagged, passThrough: [...passThrough] };
}

// The objects a subset takes: its prefixes listed page by page (never the whole listing in memory),
// filtered by its selection, each with its file kind and what the subset does with it.
import { relativeKey } from "@crossdock/policy";
import type { ObjectStore, ObjectSummary } from "@crossdock/providers";
import { compiledSelection, fileKind, kindTreatment, type FileKind, type SubsetDefinition } from "./definition.ts";

export interface MatchedObject extends ObjectSummary {
  kind: FileKind;
  treatment: "transform" | "passThrough" | "excluded";
}

type ListingDefinition = Pick<SubsetDefinition, "sourceBucket" | "prefixes" | "selection" | "rules" | "passThrough">;

/** Matched objects in key order per prefix, one listing page at a time. */
export async function* matchingObjects(store: ObjectStore, definition: ListingDefinition, options: { signal?: AbortSignal; pageSize?: number } = {}): AsyncGenerator<MatchedObject[]> {
  const selection = compiledSelection(definition);
  const prefixes = definition.prefixes.length === 0 ? [""] : definition.prefixes;
  for (const prefix of prefixes) {
    for await (const page of store.listObjects(definition.sourceBucket, { prefix: prefix || undefined, signal: options.signal, pageSize: options.pageSize })) {
      const matched: MatchedObject[] = [];
      for (const object of page.objects) {
        if (object.key.endsWith("/")) continue; // folder markers
        if (!selection.matches({ key: relativeKey(object.key, prefix), size: object.size, lastModified: object.lastModified })) continue;
        const kind = fileKind(object.key);
        matched.push({ ...object, kind, treatment: kindTreatment(definition, kind) });
      }
      if (matched.length > 0) yield matched;
    }
  }
}

export interface MatchCount {
  objects: number;
  bytes: number;
  /** Per file kind: matched objects and bytes, and what the subset does with them. */
  byKind: Partial<Record<FileKind, { objects: number; bytes: number; treatment: MatchedObject["treatment"] }>>;
  /** Objects the subset will write (transformed or passed through). */
  included: { objects: number; bytes: number };
  /** The first matched objects, for the editor's file picker. */
  sample: { key: string; size: number; kind: FileKind; treatment: MatchedObject["treatment"] }[];
  /** The count stopped early (limit or time budget reached): the figures are lower bounds. */
  partial: boolean;
}

/**
 * Counts what a definition matches, streaming the listing; `onProgress` sees the running figures (the
 * editor's live count). Stops at `limit` objects or after `budgetMs`, marking the count partial.
 */
export async function countMatching(
  store: ObjectStore,
  definition: ListingDefinition,
  options: { limit?: number; budgetMs?: number; sampleSize?: number; signal?: AbortSignal; onProgress?: (count: MatchCount) => void } = {},
): Promise<MatchCount> {
  const limit = options.limit ?? 1_000_000;
  const until = Date.now() + (options.budgetMs ?? 20_000);
  const sampleSize = options.sampleSize ?? 200;
  const count: MatchCount = { objects: 0, bytes: 0, byKind: {}, included: { objects: 0, bytes: 0 }, sample: [], partial: false };
  for await (const page of matchingObjects(store, definition, { signal: options.signal })) {
    for (const o of page) {
      count.objects++;
      count.bytes += o.size;
      const k = (count.byKind[o.kind] ??= { objects: 0, bytes: 0, treatment: o.treatment });
      k.objects++;
      k.bytes += o.size;
      if (o.treatment !== "excluded") {
        count.included.objects++;
        count.included.bytes += o.size;
      }
      if (count.sample.length < sampleSize) count.sample.push({ key: o.key, size: o.size, kind: o.kind, treatment: o.treatment });
    }
    options.onProgress?.(count);
    if (count.objects >= limit || Date.now() > until) {
      count.partial = true;
      break;
    }
  }
  return count;
}

// What a subset version says: where its objects come from, which of them it takes, and how each file
// kind is transformed. Validated here (zod + the policy's rule checker), stored as one SubsetVersion row.

import { z } from "zod";
import { compileSelection, globProblem, validateRules, type CompiledSelection, type DeidRules, type ObjectSelection } from "@crossdock/policy";
import type { SubsetVersion } from "@crossdock/db";

export const fileKinds = ["csv", "tsv", "ndjson", "json", "vcf", "other"] as const;
export type FileKind = (typeof fileKinds)[number];

export const fileKindLabels: Record<FileKind, string> = {
  csv: "CSV tables",
  tsv: "TSV tables",
  ndjson: "NDJSON records",
  json: "JSON documents",
  vcf: "VCF (genomics, plain or gzip)",
  other: "Other files (images, PDFs, binaries)",
};

/** The kind of a file, from its key's extension. */
export function fileKind(key: string): FileKind {
  const name = key.slice(key.lastIndexOf("/") + 1).toLowerCase();
  if (name.endsWith(".csv")) return "csv";
  if (name.endsWith(".tsv") || name.endsWith(".tab")) return "tsv";
  if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) return "ndjson";
  if (name.endsWith(".json")) return "json";
  if (/\.vcf(\.b?gz)?$/.test(name)) return "vcf";
  return "other";
}

const glob = z.string().max(1024).superRefine((g, ctx) => {
  const problem = globProblem(g);
  if (problem) ctx.addIssue({ code: "custom", message: `${g}: ${problem}` });
});

export const selectionSchema = z.object({
  include: z.array(glob).max(100).default([]),
  exclude: z.array(glob).max(100).default([]),
  minSize: z.number().int().min(0).optional(),
  maxSize: z.number().int().min(0).optional(),
  /** ISO date or datetime. */
  modifiedSince: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
});
export type SelectionInput = z.input<typeof selectionSchema>;

const rulesSchema = z.custom<DeidRules>().superRefine((rules, ctx) => {
  for (const p of validateRules(rules)) ctx.addIssue({ code: "custom", message: `${p.path || "rules"} ${p.message}` });
});

/** Everything a version defines, as the editor sends it. */
export const definitionSchema = z.object({
  sourceAccountId: z.string().min(1).max(64),
  sourceBucket: z.string().trim().min(1, "Choose a bucket.").max(255),
  /** Key prefixes; empty or [""] = the whole bucket. */
  prefixes: z.array(z.string().max(1024)).max(20).default([""]),
  selection: selectionSchema.default({ include: [], exclude: [] }),
  rules: rulesSchema.default({}),
  /** File kinds copied as they are when they have no rules (flagged in the UI). */
  passThrough: z.array(z.enum(fileKinds)).max(fileKinds.length).default([]),
  /** Flagged identifier fields accepted without a rule, as "tabular:column" or "json:$.path". */
  acknowledged: z.array(z.string().max(1024)).max(500).default([]),
  quasiIdentifiers: z.array(z.string().max(256)).max(20).default([]),
  kThreshold: z.number().int().min(2).max(1000).default(5),
  note: z.string().max(2000).default(""),
});
export type SubsetDefinitionInput = z.input<typeof definitionSchema>;
export type SubsetDefinition = z.output<typeof definitionSchema>;

/** Overlapping prefixes would list (and write) an object twice: keep the shortest of each family. */
export function normalizePrefixes(prefixes: readonly string[]): string[] {
  const list = [...new Set(prefixes.length === 0 ? [""] : prefixes)].sort();
  return list.filter((p, i) => !list.slice(0, i).some((q) => p.startsWith(q)));
}

export function parseDefinition(input: SubsetDefinitionInput): SubsetDefinition {
  const definition = definitionSchema.parse(input);
  return { ...definition, prefixes: normalizePrefixes(definition.prefixes) };
}

/** A stored version back as a definition. */
export function versionDefinition(version: SubsetVersion): SubsetDefinition {
  return {
    sourceAccountId: version.sourceAccountId,
    sourceBucket: version.sourceBucket,
    prefixes: version.prefixes,
    selection: version.selection as SubsetDefinition["selection"],
    rules: version.rules as DeidRules,
    passThrough: version.passThrough as FileKind[],
    acknowledged: version.acknowledged,
    quasiIdentifiers: version.quasiIdentifiers,
    kThreshold: version.kThreshold,
    note: version.note,
  };
}

export function compiledSelection(definition: Pick<SubsetDefinition, "selection">): CompiledSelection {
  const { modifiedSince, ...rest } = definition.selection;
  const selection: ObjectSelection = { ...rest, ...(modifiedSince ? { modifiedSince: new Date(modifiedSince) } : {}) };
  return compileSelection(selection);
}

/** How a matched file of this kind is handled: transformed by its rules, copied as is, or left out. */
export function kindTreatment(definition: Pick<SubsetDefinition, "rules" | "passThrough">, kind: FileKind): "transform" | "passThrough" | "excluded" {
  const { rules } = definition;
  const hasRules = kind === "csv" || kind === "tsv" ? rules.tabular !== undefined : kind === "json" || kind === "ndjson" ? rules.json !== undefined : kind === "vcf" ? rules.vcf !== undefined : false;
  if (hasRules) return "transform";
  return definition.passThrough.includes(kind) ? "passThrough" : "excluded";
}

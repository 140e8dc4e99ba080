// Suggests which columns / JSON fields hold identifiers, from their names and a sample of their values.
// A suggestion, not a guarantee: the Safe Harbor report treats what it finds as blocking until ruled.

import { categoryByName, normalizeFieldName, redactCovers, type SafeHarborCategory } from "./categories.ts";
import { formatPath } from "./json-path.ts";
import { createRedactor } from "./redact.ts";
import type { FieldRule, RedactCategory } from "./rules.ts";
import { generalizeZip } from "./values.ts";

export interface CategoryEvidence {
  category: SafeHarborCategory;
  /** 0..1 */
  confidence: number;
  via: "name" | "values";
  why: string;
}

export interface DetectedField {
  kind: "tabular" | "json";
  /** Column name, or JSON path with [*] for arrays. */
  field: string;
  /** The most likely category; undefined when nothing points to an identifier. */
  category?: SafeHarborCategory;
  confidence: number;
  evidence: CategoryEvidence[];
  /** Free text that contains identifiers: needs `redact`. */
  freeText: boolean;
  suggested: FieldRule;
}

const valuePatterns: [SafeHarborCategory, RegExp, string][] = [
  ["email", /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/, "values look like email addresses"],
  ["ssn", /^\d{3}-\d{2}-\d{4}$/, "values look like Social Security numbers"],
  ["mrn", /^MRN[-:\s]?\d{6,10}$/i, "values look like medical record numbers"],
  ["phone", /^(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}$|^\+\d[\d\s().-]{7,}\d$/, "values look like phone numbers"],
  ["url", /^(?:https?|s?ftp):\/\/\S+$|^www\.\S+$/i, "values look like URLs"],
  ["ip", /^(?:\d{1,3}\.){3}\d{1,3}$|^[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}$/i, "values look like IP addresses"],
  ["dates", /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}.*)?$|^\d{1,2}\/\d{1,2}\/\d{2,4}$|^\d{8}$/, "values look like dates"],
  ["geographic", /^\d{5}(?:-\d{4})?$/, "values look like ZIP codes"],
  ["otherId", /^[A-Za-z]{0,4}[-_]?\d{6,}$/, "values look like long identifiers"],
];

const FREE_TEXT_MIN_LENGTH = 24;

function suggestRule(category: SafeHarborCategory | undefined, name: string, values: string[], subject: string | undefined, nameFields: string[], freeText: boolean): FieldRule {
  if (freeText) return nameFields.length > 0 ? { action: "redact", namesFrom: nameFields } : { action: "redact" };
  const n = normalizeFieldName(name);
  switch (category) {
    case undefined:
      return { action: "keep" };
    case "mrn":
    case "otherId":
    case "healthPlan":
    case "account":
      return { action: "hash" };
    case "geographic":
      return /(^|_)(zip|zipcode|zip_code|postal_code|postcode)(_|$)/.test(n) || (values.length > 0 && values.every((v) => generalizeZip(v) !== undefined)) ? { action: "generalize", to: "zip3" } : { action: "drop" };
    case "dates":
      if (/(^|_)age(_years)?$/.test(n)) return { action: "generalize", to: "age" };
      if (/(^|_)(dob|birth|born)/.test(n)) return { action: "generalize", to: "year" };
      return subject ? { action: "dateShift", subject } : { action: "generalize", to: "year" };
    default:
      return { action: "drop" };
  }
}

interface Column {
  name: string;
  /** Last path segment for JSON, the column name for tables. */
  label: string;
  values: string[];
}

function analyse(kind: "tabular" | "json", columns: Column[]): DetectedField[] {
  const probes = (Object.keys(redactCovers) as RedactCategory[])
    .filter((c) => c !== "name")
    .map((c) => ({ category: redactCovers[c][0]!, redact: createRedactor({ categories: [c] }) }));
  const evidence = columns.map(({ label, values }) => {
    const found: CategoryEvidence[] = [];
    const byName = categoryByName(label);
    if (byName) found.push({ ...byName, via: "name", why: `the name "${label}" suggests it` });
    const nonEmpty = values.filter((v) => v.trim() !== "");
    let freeText = false;
    if (nonEmpty.length > 0) {
      for (const [category, re, why] of valuePatterns) {
        const share = nonEmpty.filter((v) => re.test(v.trim())).length / nonEmpty.length;
        if (share >= 0.8) {
          // Long numeric ids only count when they are (nearly) unique per row.
          if (category === "otherId" && new Set(nonEmpty).size < nonEmpty.length * 0.5) continue;
          found.push({ category, confidence: Math.min(0.95, 0.5 + share * 0.4), via: "values", why });
          break;
        }
      }
      if (/(^|_)age(_years)?$/.test(normalizeFieldName(label)) && nonEmpty.some((v) => Number(v) >= 90)) {
        found.push({ category: "dates", confidence: 0.9, via: "values", why: "ages over 89 occur" });
      }
      const texts = nonEmpty.filter((v) => v.length >= FREE_TEXT_MIN_LENGTH && /\s/.test(v));
      if (texts.length >= nonEmpty.length * 0.5) {
        for (const { category, redact } of probes) {
          const hits = texts.filter((t) => redact(t) !== t).length;
          if (hits === 0) continue;
          freeText = true;
          found.push({ category, confidence: Math.min(0.95, 0.6 + (hits / texts.length) * 0.35), via: "values", why: `free text: ${category} in ${hits} of ${texts.length} sampled values` });
        }
      }
    }
    // Free text about patients names them more often than not; no pattern can tell, so assume it.
    if (freeText) found.push({ category: "names", confidence: 0.5, via: "values", why: "free text may name people" });
    found.sort((a, b) => b.confidence - a.confidence);
    return { found, freeText };
  });
  // A date-shift subject: the first column that holds a patient-level id.
  const subjectAt = columns.findIndex((c, i) => evidence[i]!.found.some((e) => e.category === "otherId" || e.category === "mrn") && /(patient|subject|person|participant)|^pid$|^mrn$/.test(normalizeFieldName(c.label)));
  const subject = subjectAt === -1 ? undefined : columns[subjectAt]!.name;
  const nameFields = columns.filter((_, i) => evidence[i]!.found[0]?.category === "names").map((c) => c.name);
  return columns.map((column, i) => {
    const { found, freeText } = evidence[i]!;
    const top = found[0];
    return {
      kind,
      field: column.name,
      category: top?.category,
      confidence: top?.confidence ?? 0,
      evidence: found,
      freeText,
      suggested: suggestRule(top?.category, column.label, column.values, column.name === subject ? undefined : subject, nameFields, freeText),
    };
  });
}

/** Per column of a table: the Safe Harbor category it looks like, with confidence and a suggested rule. */
export function detectIdentifiers(header: readonly string[], sampleRows: readonly (readonly string[])[]): DetectedField[] {
  return analyse(
    "tabular",
    header.map((name, i) => ({ name, label: name, values: sampleRows.map((r) => r[i] ?? "") })),
  );
}

/** The same for JSON records (e.g. the first NDJSON lines): fields flattened to paths like $.visits[*].text. */
export function detectJsonIdentifiers(samples: readonly unknown[]): DetectedField[] {
  const byPath = new Map<string, Column>();
  const visit = (node: unknown, path: (string | number)[]) => {
    if (node !== null && typeof node === "object") {
      if (Array.isArray(node)) node.forEach((child, i) => visit(child, [...path, i]));
      else for (const [k, child] of Object.entries(node)) visit(child, [...path, k]);
      return;
    }
    const name = formatPath(path);
    let column = byPath.get(name);
    if (!column) {
      const label = [...path].reverse().find((s): s is string => typeof s === "string") ?? "";
      column = { name, label, values: [] };
      byPath.set(name, column);
    }
    if (node !== null) column.values.push(String(node));
  };
  for (const sample of samples) visit(sample, []);
  return analyse("json", [...byPath.values()]);
}

// For each of the 18 Safe Harbor categories: which rules remove it, and which detected identifiers no
// rule removes (those block sharing). Date shifting and keyed hashes are reported with their caveats:
// they are common research practice but not literally Safe Harbor.

import { categoryByName, redactCovers, safeHarborCategories, type SafeHarborCategory } from "./categories.ts";
import type { DetectedField } from "./detect.ts";
import { parseJsonPath, type PathSegment } from "./json-path.ts";
import type { DeidRules, FieldRule } from "./rules.ts";

export interface Coverage {
  kind: "tabular" | "json" | "vcf" | "keys";
  field: string;
  /** The rule's action, "drop (default)" for an unruled field under the default drop. */
  action: string;
  /** Set when the rule is accepted practice but not literal Safe Harbor. */
  caveat?: string;
}

export interface CategoryReport {
  category: SafeHarborCategory;
  label: string;
  /** covered: every detected field is removed; caveat: covered, but only with a caveat; uncovered: some field is not. */
  status: "covered" | "caveat" | "uncovered" | "notDetected";
  coveredBy: Coverage[];
  uncovered: string[];
  notes: string[];
}

export interface BlockingField {
  kind: "tabular" | "json";
  field: string;
  category: SafeHarborCategory;
  confidence: number;
  reason: string;
  suggested: FieldRule;
}

export interface SafeHarborReport {
  categories: CategoryReport[];
  /** Detected identifiers that no rule removes: sharing must wait until each has a rule. */
  blocking: BlockingField[];
  /** No blocking field (caveats may remain: see categories). */
  ok: boolean;
}

const MIN_CONFIDENCE = 0.5;
const HASH_CAVEAT = "a keyed pseudonym: a re-identification code only while the subset secret stays with the data owner (164.514(c))";
const SHIFT_CAVEAT = "shifted dates are not Safe Harbor (which keeps only years): they need an Expert Determination";

function coverage(rule: FieldRule, category: SafeHarborCategory, field: string): { covered: boolean; caveat?: string } {
  switch (rule.action) {
    case "drop":
      return { covered: true };
    case "keep":
      return { covered: false };
    case "hash":
      return { covered: true, caveat: HASH_CAVEAT };
    case "dateShift":
      return category === "dates" ? { covered: true, caveat: SHIFT_CAVEAT } : { covered: false };
    case "generalize":
      if (category === "dates" && rule.to === "year") {
        return /(dob|birth|born)/i.test(field) && rule.aggregateBefore === undefined ? { covered: true, caveat: "birth years of people over 89 stay visible: set aggregateBefore" } : { covered: true };
      }
      if (category === "dates" && rule.to === "age") return { covered: true };
      if (category === "geographic" && rule.to === "zip3") return { covered: true };
      return { covered: false };
    case "redact": {
      const enabled = rule.categories ?? (Object.keys(redactCovers) as (keyof typeof redactCovers)[]);
      const hasNames = (rule.namesFrom?.length ?? 0) + (rule.names?.length ?? 0) > 0;
      const covers = enabled.filter((c) => c !== "name" || hasNames).some((c) => redactCovers[c].includes(category));
      return covers ? { covered: true, caveat: category === "names" || category === "geographic" ? "pattern and dictionary redaction of free text can miss variants: review samples" : undefined } : { covered: false };
    }
  }
}

function samePath(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.length === b.length && a.every((s, i) => {
    const t = b[i]!;
    if (s === "*" || t === "*") return s === t || typeof t === "object" && "index" in t || typeof s === "object" && "index" in s;
    return "key" in s ? "key" in t && s.key === t.key : "index" in t && s.index === t.index;
  });
}

/** The rule that applies to a field: its own, else (JSON) the nearest ancestor's, else the default. */
function ruleFor(rules: DeidRules, kind: "tabular" | "json", field: string): { rule: FieldRule; field: string; isDefault: boolean } {
  if (kind === "tabular") {
    const own = rules.tabular?.columns[field];
    if (own) return { rule: own, field, isDefault: false };
    return { rule: { action: rules.tabular?.defaultAction ?? rules.defaultAction ?? "drop" }, field, isDefault: true };
  }
  const target = parseJsonPath(field);
  const entries = Object.entries(rules.json?.fields ?? {}).flatMap(([p, rule]) => {
    const path = parseJsonPath(p);
    return path instanceof Error ? [] : [{ p, path, rule }];
  });
  if (!(target instanceof Error)) {
    for (let len = target.length; len >= 0; len--) {
      const hit = entries.find((e) => samePath(e.path, target.slice(0, len)));
      if (hit) return { rule: hit.rule, field: hit.p, isDefault: false };
    }
  }
  return { rule: { action: rules.json?.defaultAction ?? rules.defaultAction ?? "drop" }, field, isDefault: true };
}

export function safeHarborReport(rules: DeidRules, detected: readonly DetectedField[]): SafeHarborReport {
  const reports = new Map<SafeHarborCategory, CategoryReport>(
    safeHarborCategories.map(({ id, label }) => [id, { category: id, label, status: "notDetected", coveredBy: [], uncovered: [], notes: [] }]),
  );
  const blocking: BlockingField[] = [];
  const seen = new Set<string>();
  const addCoverage = (category: SafeHarborCategory, c: Coverage) => {
    const r = reports.get(category)!;
    if (!r.coveredBy.some((x) => x.kind === c.kind && x.field === c.field)) r.coveredBy.push(c);
  };

  for (const d of detected) {
    seen.add(`${d.kind}\0${d.field}`);
    const categories = new Map<SafeHarborCategory, number>();
    for (const e of d.evidence) if (e.confidence >= MIN_CONFIDENCE) categories.set(e.category, Math.max(e.confidence, categories.get(e.category) ?? 0));
    const { rule, field: ruledAt, isDefault } = ruleFor(rules, d.kind, d.field);
    for (const [category, confidence] of categories) {
      const c = coverage(rule, category, d.field);
      const report = reports.get(category)!;
      if (c.covered) {
        addCoverage(category, { kind: d.kind, field: ruledAt, action: isDefault ? `${rule.action} (default)` : rule.action, caveat: c.caveat });
      } else {
        report.uncovered.push(`${d.kind === "json" ? "" : "column "}${d.field}`);
        blocking.push({
          kind: d.kind,
          field: d.field,
          category,
          confidence,
          reason: isDefault ? "no rule, and the default keeps it" : rule.action === "keep" ? "its rule keeps it" : `its ${rule.action} rule does not remove ${category}`,
          suggested: d.suggested,
        });
      }
    }
  }

  // Rules on fields the detector did not see (other files of the subset): credit them by their names.
  for (const [kind, entries] of [
    ["tabular", Object.entries(rules.tabular?.columns ?? {})],
    ["json", Object.entries(rules.json?.fields ?? {})],
  ] as const) {
    for (const [field, rule] of entries) {
      if (seen.has(`${kind}\0${field}`)) continue;
      const label = kind === "json" ? (/[\w-]+(?=\W*$)/.exec(field)?.[0] ?? field) : field;
      const byName = categoryByName(label);
      if (!byName) continue;
      const c = coverage(rule, byName.category, field);
      if (c.covered) addCoverage(byName.category, { kind, field, action: rule.action, caveat: c.caveat });
    }
  }
  if (rules.vcf && (rules.vcf.samples ?? "hash") === "hash") addCoverage("otherId", { kind: "vcf", field: "#CHROM sample ids", action: "hash", caveat: HASH_CAVEAT });
  if (rules.keys && ((rules.keys.patterns?.length ?? 0) > 0 || (rules.keys.positions?.length ?? 0) > 0)) addCoverage("otherId", { kind: "keys", field: "object keys", action: "hash", caveat: HASH_CAVEAT });

  for (const r of reports.values()) {
    if (r.uncovered.length > 0) r.status = "uncovered";
    else if (r.coveredBy.length > 0) r.status = r.coveredBy.some((c) => c.caveat) ? "caveat" : "covered";
    if (r.category === "photo" || r.category === "biometric") r.notes.push("not assessed from tables: leave images and recordings out of the subset or review them");
    for (const c of r.coveredBy) if (c.caveat && !r.notes.includes(c.caveat)) r.notes.push(c.caveat);
  }
  return { categories: [...reports.values()], blocking, ok: blocking.length === 0 };
}

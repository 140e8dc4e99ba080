// The de-identification rules of a subset: plain data (stored as JSON, edited in the UI), checked by
// validateRules. The per-subset secret is never part of the rules: callers pass it in DeidOptions.

import { DeidError } from "./errors.ts";
import { parseJsonPath } from "./json-path.ts";

export const redactCategories = ["url", "email", "ip", "ssn", "mrn", "date", "phone", "address", "zip", "name", "id"] as const;
export type RedactCategory = (typeof redactCategories)[number];

export type FieldRule =
  | { action: "keep" }
  | { action: "drop" }
  /** Keyed pseudonym (HMAC-SHA256 under the subset secret), formatted by DeidRules.pseudonym. */
  | { action: "hash" }
  /** Shift ISO dates / datetimes by the subject's offset; `subject` is a column name (tabular) or a JSON path. */
  | { action: "dateShift"; subject: string }
  /**
   * year: an ISO date -> "YYYY" (years before `aggregateBefore` become "<YYYY", for birth years of people over 89);
   * age: >= 90 -> "90+"; zip3: the first three digits, "000" for restricted three-digit areas.
   */
  | { action: "generalize"; to: "year" | "age" | "zip3"; aggregateBefore?: number }
  /**
   * Free text: identifiers replaced by tags like [EMAIL]. Names come from `namesFrom` (columns or JSON paths
   * of the same record) and `names`; `categories` narrows what is redacted (default: all).
   */
  | { action: "redact"; namesFrom?: string[]; names?: string[]; categories?: RedactCategory[]; mrnPattern?: string; minDigitRun?: number };

export type FieldAction = FieldRule["action"];
export type DefaultAction = "drop" | "keep";

export interface TabularRules {
  /** By header name (CSV / TSV). */
  columns: Record<string, FieldRule>;
  defaultAction?: DefaultAction;
}

export interface JsonRules {
  /** By JSON path: `$.name`, `$.contact.email`, `$.visits[*].text`, `$.a[0]`, `$["odd key"]`. */
  fields: Record<string, FieldRule>;
  defaultAction?: DefaultAction;
}

export interface VcfRules {
  /** Sample ids in the #CHROM header: "hash" (default, same pseudonym as a hashed patient id) or "keep". */
  samples?: "hash" | "keep";
  /** INFO keys to remove from every record (and their ##INFO lines). */
  dropInfo?: string[];
  /** FORMAT fields to remove with the matching sample values (and their ##FORMAT lines). */
  dropFormat?: string[];
  /** Other ## meta keys to remove, e.g. "commandline". ##SAMPLE and ##PEDIGREE are always removed. */
  dropMeta?: string[];
}

export interface KeyRules {
  /** RegExp sources; a key segment matching one (whole, or its name before the first '.') is pseudonymized. */
  patterns?: string[];
  /** Segment positions always pseudonymized; negative counts from the end (-1 = the file name). */
  positions?: number[];
  /** User-metadata names (or globs, case-insensitive) carried to the output; every other entry is stripped. */
  metadataAllowList?: string[];
}

export interface PseudonymFormat {
  encoding: "hex" | "base32";
  /** Characters kept of the encoded HMAC (hex 8-52, base32 8-41: the rest of the digest keys date offsets). */
  length: number;
  prefix: string;
}

export interface DeidRules {
  /** One format per subset, so a hashed id joins across every table, VCF and key of the subset. */
  pseudonym?: Partial<PseudonymFormat>;
  /** One window per subset, so a subject's offset is the same in every file. */
  dateShift?: { maxDays?: number };
  /** For columns / fields with no rule. "drop" is the safe default. */
  defaultAction?: DefaultAction;
  /** What a value a rule cannot process does: reject the file (default) or become empty. */
  invalidValues?: "reject" | "blank";
  tabular?: TabularRules;
  json?: JsonRules;
  vcf?: VcfRules;
  keys?: KeyRules;
}

export interface DeidOptions {
  /** The subset's secret (at least 16 bytes). Different secrets give unlinkable outputs. */
  secret: string | Uint8Array;
}

export const defaultPseudonym: PseudonymFormat = { encoding: "hex", length: 16, prefix: "" };
export const defaultMaxShiftDays = 365;
export const restrictedVcfMeta = ["SAMPLE", "PEDIGREE"];

export function pseudonymFormat(rules: DeidRules): PseudonymFormat {
  return { ...defaultPseudonym, ...rules.pseudonym };
}

export interface RuleProblem {
  /** Where in the rules, e.g. "tabular.columns.dob.to". */
  path: string;
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");

function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source, "u");
    return undefined;
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message})`;
  }
}

function checkFieldRule(rule: unknown, path: string, kind: "tabular" | "json", problems: RuleProblem[]): void {
  const problem = (where: string, message: string) => problems.push({ path: where ? `${path}.${where}` : path, message });
  if (!isObject(rule)) return void problem("", "must be an object with an action");
  switch (rule.action) {
    case "keep":
    case "drop":
    case "hash":
      return;
    case "dateShift":
      if (typeof rule.subject !== "string" || rule.subject === "") return void problem("subject", `names the ${kind === "json" ? "JSON path" : "column"} holding the subject key`);
      if (kind === "json" && parseJsonPath(rule.subject) instanceof Error) problem("subject", "is not a valid JSON path");
      return;
    case "generalize":
      if (rule.to !== "year" && rule.to !== "age" && rule.to !== "zip3") problem("to", 'must be "year", "age" or "zip3"');
      if (rule.aggregateBefore !== undefined && (!Number.isInteger(rule.aggregateBefore) || rule.to !== "year")) problem("aggregateBefore", "must be an integer year, with to: \"year\"");
      return;
    case "redact":
      if (rule.namesFrom !== undefined && !isStringArray(rule.namesFrom)) problem("namesFrom", `must be a list of ${kind === "json" ? "JSON paths" : "column names"}`);
      else if (kind === "json") rule.namesFrom?.forEach((p, i) => parseJsonPath(p) instanceof Error && problem(`namesFrom.${i}`, "is not a valid JSON path"));
      if (rule.names !== undefined && !isStringArray(rule.names)) problem("names", "must be a list of names");
      if (rule.categories !== undefined && !(isStringArray(rule.categories) && rule.categories.every((c) => (redactCategories as readonly string[]).includes(c)))) {
        problem("categories", `must be a list of ${redactCategories.join(", ")}`);
      }
      if (rule.mrnPattern !== undefined) {
        const bad = typeof rule.mrnPattern === "string" ? regexProblem(rule.mrnPattern) : "must be a string";
        if (bad) problem("mrnPattern", bad);
      }
      if (rule.minDigitRun !== undefined && !(Number.isInteger(rule.minDigitRun) && (rule.minDigitRun as number) >= 4)) problem("minDigitRun", "must be an integer of at least 4");
      return;
    default:
      problem("action", "must be one of keep, drop, hash, dateShift, generalize, redact");
  }
}

const checkDefault = (v: unknown, path: string, problems: RuleProblem[]) => {
  if (v !== undefined && v !== "drop" && v !== "keep") problems.push({ path, message: 'must be "drop" or "keep"' });
};

/** Every problem of `rules` (parsed JSON from the UI or the database), in readable words; [] when valid. */
export function validateRules(rules: unknown): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (!isObject(rules)) return [{ path: "", message: "rules must be an object" }];
  const { pseudonym, dateShift, defaultAction, invalidValues, tabular, json, vcf, keys } = rules;
  if (pseudonym !== undefined) {
    if (!isObject(pseudonym)) problems.push({ path: "pseudonym", message: "must be an object" });
    else {
      const encoding = pseudonym.encoding ?? defaultPseudonym.encoding;
      if (encoding !== "hex" && encoding !== "base32") problems.push({ path: "pseudonym.encoding", message: 'must be "hex" or "base32"' });
      const max = encoding === "base32" ? 41 : 52;
      const length = pseudonym.length ?? defaultPseudonym.length;
      // Below 8 characters pseudonyms of a large cohort start to collide.
      if (!Number.isInteger(length) || (length as number) < 8 || (length as number) > max) problems.push({ path: "pseudonym.length", message: `must be an integer from 8 to ${max}` });
      if (pseudonym.prefix !== undefined && typeof pseudonym.prefix !== "string") problems.push({ path: "pseudonym.prefix", message: "must be a string" });
    }
  }
  if (dateShift !== undefined) {
    const maxDays = isObject(dateShift) ? dateShift.maxDays : undefined;
    if (!isObject(dateShift) || (maxDays !== undefined && !(Number.isInteger(maxDays) && (maxDays as number) >= 1 && (maxDays as number) <= 3650))) {
      problems.push({ path: "dateShift.maxDays", message: "must be a whole number of days from 1 to 3650" });
    }
  }
  checkDefault(defaultAction, "defaultAction", problems);
  if (invalidValues !== undefined && invalidValues !== "reject" && invalidValues !== "blank") problems.push({ path: "invalidValues", message: 'must be "reject" or "blank"' });
  if (tabular !== undefined) {
    if (!isObject(tabular) || !isObject(tabular.columns)) problems.push({ path: "tabular.columns", message: "must map column names to rules" });
    else {
      checkDefault(tabular.defaultAction, "tabular.defaultAction", problems);
      for (const [name, rule] of Object.entries(tabular.columns)) checkFieldRule(rule, `tabular.columns.${name}`, "tabular", problems);
    }
  }
  if (json !== undefined) {
    if (!isObject(json) || !isObject(json.fields)) problems.push({ path: "json.fields", message: "must map JSON paths to rules" });
    else {
      checkDefault(json.defaultAction, "json.defaultAction", problems);
      for (const [path, rule] of Object.entries(json.fields)) {
        const parsed = parseJsonPath(path);
        if (parsed instanceof Error) problems.push({ path: `json.fields.${path}`, message: parsed.message });
        checkFieldRule(rule, `json.fields.${path}`, "json", problems);
      }
    }
  }
  if (vcf !== undefined) {
    if (!isObject(vcf)) problems.push({ path: "vcf", message: "must be an object" });
    else {
      if (vcf.samples !== undefined && vcf.samples !== "hash" && vcf.samples !== "keep") problems.push({ path: "vcf.samples", message: 'must be "hash" or "keep"' });
      for (const list of ["dropInfo", "dropFormat", "dropMeta"] as const) {
        if (vcf[list] !== undefined && !isStringArray(vcf[list])) problems.push({ path: `vcf.${list}`, message: "must be a list of ids" });
      }
    }
  }
  if (keys !== undefined) {
    if (!isObject(keys)) problems.push({ path: "keys", message: "must be an object" });
    else {
      if (keys.patterns !== undefined) {
        if (!isStringArray(keys.patterns)) problems.push({ path: "keys.patterns", message: "must be a list of regular expressions" });
        else keys.patterns.forEach((p, i) => {
          const bad = regexProblem(p);
          if (bad) problems.push({ path: `keys.patterns.${i}`, message: bad });
        });
      }
      if (keys.positions !== undefined && !(Array.isArray(keys.positions) && keys.positions.every(Number.isInteger))) problems.push({ path: "keys.positions", message: "must be a list of whole numbers" });
      if (keys.metadataAllowList !== undefined && !(isStringArray(keys.metadataAllowList) && keys.metadataAllowList.every((n) => n.trim() !== "" && n.length <= 256)))
        problems.push({ path: "keys.metadataAllowList", message: "must be a list of metadata names or globs (1-256 characters each)" });
    }
  }
  return problems;
}

/** Throws DeidError("InvalidRules") listing every problem: the transforms' guard. */
export function assertValidRules(rules: DeidRules): void {
  const problems = validateRules(rules);
  if (problems.length > 0) throw new DeidError("InvalidRules", problems.map((p) => `${p.path || "rules"} ${p.message}`).join("; "));
}


// The rule picker's vocabulary: one token per choice in a select, to and from the policy's FieldRule.
import type { FieldRule } from "@crossdock/policy";

export const ruleChoices = [
  ["", "no rule (default)"],
  ["keep", "keep as is"],
  ["drop", "drop"],
  ["hash", "keyed hash (pseudonym)"],
  ["dateShift", "date shift (per subject)"],
  ["year", "generalize date to year"],
  ["age", "generalize age (90+)"],
  ["zip3", "ZIP to 3 digits"],
  ["redact", "redact identifiers in text"],
] as const;

export type RuleToken = (typeof ruleChoices)[number][0];

export function ruleToken(rule: FieldRule | undefined): RuleToken {
  if (!rule) return "";
  return rule.action === "generalize" ? rule.to : rule.action;
}

export const ruleLabel = (rule: FieldRule | undefined) => ruleChoices.find(([t]) => t === ruleToken(rule))?.[1] ?? "";

export interface RuleContext {
  /** Fields that look like a subject (patient) id: the date-shift subject. */
  subjects: string[];
  /** Fields holding people's names: what redaction looks for in free text. */
  names: string[];
}

export function tokenRule(token: RuleToken, field: string, context: RuleContext): FieldRule | undefined {
  switch (token) {
    case "":
      return undefined;
    case "keep":
    case "drop":
    case "hash":
      return { action: token };
    case "dateShift":
      return { action: "dateShift", subject: context.subjects.find((s) => s !== field) ?? context.subjects[0] ?? "" };
    case "year":
      // Birth years of people over 89 are aggregated ("<1937"), as Safe Harbor asks.
      return /birth|dob|born/i.test(field) ? { action: "generalize", to: "year", aggregateBefore: new Date().getUTCFullYear() - 89 } : { action: "generalize", to: "year" };
    case "age":
    case "zip3":
      return { action: "generalize", to: token };
    case "redact":
      return context.names.length > 0 ? { action: "redact", namesFrom: context.names.filter((n) => n !== field) } : { action: "redact" };
  }
}

export function describeRule(rule: FieldRule): string {
  switch (rule.action) {
    case "dateShift":
      return `date shift by subject ${rule.subject}`;
    case "redact":
      return rule.namesFrom?.length ? `redact (names from ${rule.namesFrom.join(", ")})` : "redact";
    case "generalize":
      return rule.to === "year" ? `year${rule.aggregateBefore ? ` (before ${rule.aggregateBefore} aggregated)` : ""}` : rule.to === "age" ? "age (90+)" : "ZIP to 3 digits";
    default:
      return ruleLabel(rule);
  }
}

/** The detector's suggestion, completed the way the picker would: birth years of people over 89 aggregated. */
export function refineSuggestion(field: string, rule: FieldRule, context: RuleContext): FieldRule {
  if (rule.action === "generalize" && rule.to === "year" && rule.aggregateBefore === undefined) return tokenRule("year", field, context) ?? rule;
  return rule;
}

// One FieldRule compiled to a function of a value (and the record it sits in, for dateShift's subject
// and redact's names). Shared by the tabular and JSON transforms so both behave the same.

import { DeidError } from "./errors.ts";
import type { Keyed } from "./keyed.ts";
import { createRedactor } from "./redact.ts";
import type { DeidRules, FieldRule } from "./rules.ts";
import { generalizeAge, generalizeYear, generalizeZip, shiftIsoDate } from "./values.ts";

/** How a format reads other fields of the same record: a reference (column name / JSON path) -> its values. */
export interface RecordAccess<R> {
  resolve(ref: string, field: string): (record: R) => string[];
  /** Formats where a reference names exactly one value (a column) read it without an array per record. */
  resolveOne?(ref: string, field: string): (record: R) => string;
}

export type ValueOp<R> = (value: string, record: R, line: number | undefined) => string;

const keep = <R>(): ValueOp<R> => (value) => value;

/** undefined for "drop". Empty values stay empty: there is nothing to protect and nothing to shift. */
export function compileFieldRule<R>(rule: FieldRule, field: string, rules: DeidRules, keyed: Keyed, access: RecordAccess<R>): ValueOp<R> | undefined {
  const blank = rules.invalidValues === "blank";
  const invalid = (what: string, line: number | undefined) => {
    if (blank) return "";
    throw new DeidError("InvalidValue", `value is not ${what}`, line, field);
  };
  switch (rule.action) {
    case "drop":
      return undefined;
    case "keep":
      return keep();
    case "hash":
      return (value) => (value === "" ? value : keyed.pseudonym(value));
    case "dateShift": {
      if (access.resolveOne) {
        const subjectOf = access.resolveOne(rule.subject, field);
        return (value, record, line) => {
          if (value === "") return value;
          const subject = subjectOf(record);
          if (subject === "") throw new DeidError("InvalidValue", `dateShift needs exactly one subject key in ${rule.subject} (found 0)`, line, field);
          return shiftIsoDate(value, keyed.shiftDays(subject)) ?? invalid("an ISO date or datetime", line);
        };
      }
      const subjectOf = access.resolve(rule.subject, field);
      return (value, record, line) => {
        if (value === "") return value;
        const subjects = subjectOf(record).filter((s) => s !== "");
        if (subjects.length !== 1) {
          throw new DeidError("InvalidValue", `dateShift needs exactly one subject key in ${rule.subject} (found ${subjects.length})`, line, field);
        }
        return shiftIsoDate(value, keyed.shiftDays(subjects[0]!)) ?? invalid("an ISO date or datetime", line);
      };
    }
    case "generalize": {
      const { to, aggregateBefore } = rule;
      if (to === "year") return (value, _r, line) => (value === "" ? value : (generalizeYear(value, aggregateBefore) ?? invalid("an ISO date or a year", line)));
      if (to === "age") return (value, _r, line) => (value === "" ? value : (generalizeAge(value) ?? invalid("an age in years", line)));
      return (value, _r, line) => (value === "" ? value : (generalizeZip(value) ?? invalid("a ZIP code", line)));
    }
    case "redact": {
      const redact = createRedactor(rule);
      if ((rule.namesFrom ?? []).length === 0) return (value) => redact(value);
      if (access.resolveOne) {
        const one = rule.namesFrom!.map((ref) => access.resolveOne!(ref, field));
        return (value, record) => {
          if (value === "") return value;
          const names: string[] = [];
          for (const get of one) names.push(get(record));
          return redact(value, names);
        };
      }
      const sources = (rule.namesFrom ?? []).map((ref) => access.resolve(ref, field));
      return (value, record) => (value === "" ? value : redact(value, sources.flatMap((get) => get(record))));
    }
  }
}

// Object keys and metadata of a subset: identifiers in key segments and file names become pseudonyms
// (the same ones as in the tables), and only allow-listed metadata travels.

import { compileGlob } from "../selection/glob.ts";
import { createKeyed } from "./keyed.ts";
import { assertValidRules, type DeidOptions, type DeidRules } from "./rules.ts";

/** A function for many keys of one subset (compiles the patterns once). */
export function keyPseudonymizer(rules: DeidRules, options: DeidOptions): (key: string) => string {
  assertValidRules(rules);
  const keyed = createKeyed(rules, options);
  const patterns = (rules.keys?.patterns ?? []).map((p) => new RegExp(`^(?:${p})$`, "u"));
  const positions = rules.keys?.positions ?? [];
  // "P000123.vcf.gz" -> pseudonym + ".vcf.gz": extensions stay, so the file kind stays readable.
  const replace = (segment: string) => {
    const dot = segment.indexOf(".", 1);
    const stem = dot === -1 ? segment : segment.slice(0, dot);
    return keyed.pseudonym(stem) + (dot === -1 ? "" : segment.slice(dot));
  };
  return (key) => {
    const segments = key.split("/");
    return segments
      .map((segment, i) => {
        if (segment === "") return segment;
        if (positions.includes(i) || positions.includes(i - segments.length)) return replace(segment);
        if (patterns.some((re) => re.test(segment))) return keyed.pseudonym(segment);
        const dot = segment.indexOf(".", 1);
        if (dot !== -1 && patterns.some((re) => re.test(segment.slice(0, dot)))) return replace(segment);
        return segment;
      })
      .join("/");
  };
}

export function pseudonymizeKey(key: string, rules: DeidRules, options: DeidOptions): string {
  return keyPseudonymizer(rules, options)(key);
}

/** Only the metadata entries whose names match the allow list (exact names or globs, case-insensitive). */
export function filterMetadata(metadata: Readonly<Record<string, string>>, allowList: readonly string[]): Record<string, string> {
  const allowed = allowList.map((p) => compileGlob(p.toLowerCase()));
  return Object.fromEntries(Object.entries(metadata).filter(([name]) => allowed.some((re) => re.test(name.toLowerCase()))));
}

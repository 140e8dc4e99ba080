// Free-text redaction: identifiers in notes replaced by tags. Patterns run in a fixed order (URLs and
// emails first, since they contain names and digits; names late; bare digit runs last).

import type { RedactCategory } from "./rules.ts";

export const defaultMrnPattern = String.raw`\bMRN[-:\s]?\d{6,10}\b`;
export const defaultMinDigitRun = 7;

export interface RedactorOptions {
  categories?: readonly RedactCategory[];
  /** RegExp source, matched case-insensitively. */
  mrnPattern?: string;
  minDigitRun?: number;
  /** Names redacted in every text (e.g. staff, relatives) besides the record's own. */
  names?: readonly string[];
}

const MONTH = "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";
const IPV4_PART = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const H = "[0-9A-Fa-f]{1,4}";
const STREET_TYPES = "(?:Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Lane|Ln|Court|Ct|Boulevard|Blvd|Terrace|Ter|Way|Place|Pl|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq)";

/** What the cheap tests know of a text: measured once, and again only after a replacement changed it. */
interface TextStats {
  /** Longest run of ASCII digits (\d in these patterns). */
  digitRun: number;
}

/** A category, its pattern, its tag, and a cheap test that must pass before the pattern can match. */
type Pattern = [RedactCategory, RegExp, string, (text: string, stats: TextStats) => boolean];

const always = () => true;
const run = (n: number) => (_: string, s: TextStats) => s.digitRun >= n;
const MRN_HINT = /mrn/iu;
const MONTH_HINT = /Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec/;
const ADDRESS_HINT = /\d\s|Box/;

function textStats(text: string): TextStats {
  let digitRun = 0;
  let current = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++current > digitRun) digitRun = current;
    } else current = 0;
  }
  return { digitRun };
}

function dots(text: string): number {
  let n = 0;
  for (let i = text.indexOf("."); i !== -1 && n < 3; i = text.indexOf(".", i + 1)) n++;
  return n;
}

// Each test is a necessary condition of its pattern (e.g. an SSN ends in four digits), so skipping a
// pattern whose test fails never changes the result.
function patterns(mrnPattern: string, minDigitRun: number): Pattern[] {
  return [
    ["url", /\b(?:https?|s?ftp|s3|gs|file):\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]]|\bwww\.[^\s<>"']*[^\s<>"'.,;:!?)\]]/giu, "[URL]", (t) => t.includes("://") || t.includes("www.")],
    ["email", /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu, "[EMAIL]", (t) => t.includes("@")],
    ["ip", new RegExp(`(?<![\\w:.])(?:(?:${H}:){7}${H}|(?:${H}:){1,7}:|(?:${H}:){1,6}:${H}|(?:${H}:){1,5}(?::${H}){1,2}|(?:${H}:){1,4}(?::${H}){1,3}|(?:${H}:){1,3}(?::${H}){1,4}|(?:${H}:){1,2}(?::${H}){1,5}|${H}:(?::${H}){1,6}|:(?::${H}){1,7})(?![\\w:])`, "g"), "[IP]", (t) => t.includes(":")],
    ["ip", new RegExp(`(?<![\\d.])${IPV4_PART}(?:\\.${IPV4_PART}){3}(?![\\d.]*\\d)`, "g"), "[IP]", (t, s) => s.digitRun >= 1 && dots(t) >= 3],
    ["ssn", /(?<!\d)\d{3}([- ])\d{2}\1\d{4}(?!\d)/g, "[SSN]", run(4)],
    ["mrn", new RegExp(mrnPattern, "giu"), "[MRN]", mrnPattern === defaultMrnPattern ? (t, s) => s.digitRun >= 6 && MRN_HINT.test(t) : always],
    ["date", /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, "[DATE]", (t, s) => s.digitRun >= 4 && t.includes("-")],
    ["date", /(?<![\d/.-])\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})(?![\d/.-]*\d)/g, "[DATE]", (t, s) => s.digitRun >= 1 && (t.includes("/") || t.includes(".") || t.includes("-"))],
    ["date", new RegExp(`\\b${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b|\\b\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH}\\.?,?\\s+\\d{4}\\b|\\b${MONTH}\\.?,?\\s+\\d{4}\\b`, "g"), "[DATE]", (t, s) => s.digitRun >= 4 && MONTH_HINT.test(t)],
    ["phone", /(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\w)|(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}(?!\w)/g, "[PHONE]", (t, s) => s.digitRun >= 4 || (s.digitRun >= 1 && t.includes("+"))],
    ["address", new RegExp(`\\b\\d{1,6}\\s+(?:\\p{Lu}[\\p{L}'.-]*\\s+){1,4}${STREET_TYPES}\\b\\.?|\\bP\\.?\\s?O\\.?\\s+Box\\s+\\d+\\b`, "gu"), "[ADDRESS]", (t, s) => s.digitRun >= 1 && ADDRESS_HINT.test(t)],
    ["zip", /(?<=\b[A-Z]{2},?\s+)\d{5}(?:-\d{4})?\b|(?<=\bzip(?:\s*code)?[:\s#]+)\d{5}(?:-\d{4})?\b/gi, "[ZIP]", run(5)],
    // "name" is applied separately (it needs the record's names)
    ["id", new RegExp(`(?<![\\p{L}\\p{N}])(?:\\p{L}{1,4}-?)?\\d{${minDigitRun},}(?![\\p{L}\\p{N}])|(?<![\\p{L}\\p{N}])\\p{Lu}{1,4}-?\\d{5,}(?![\\p{L}\\p{N}])`, "gu"), "[ID]", run(Math.min(minDigitRun, 5))],
  ];
}

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

/** The words of name values worth matching: whole values and their parts of two letters or more. */
export function nameTokens(values: Iterable<string>): string[] {
  const tokens = new Set<string>();
  for (const raw of values) {
    const value = raw.normalize("NFC").trim();
    if (value.length < 2) continue;
    tokens.add(value);
    for (const part of value.split(/[\s,;]+/)) if (part.replace(/[^\p{L}]/gu, "").length >= 2) tokens.add(part.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ""));
  }
  // Longest first, so "Mary Ann" wins over "Mary".
  return [...tokens].filter((t) => t.length >= 2).sort((a, b) => b.length - a.length);
}

function nameRegExp(tokens: string[]): RegExp | undefined {
  if (tokens.length === 0) return undefined;
  return new RegExp(`(?<![\\p{L}\\p{M}\\p{N}_\\[])(?:${tokens.map(escapeRegExp).join("|")})(?![\\p{L}\\p{M}\\p{N}_])`, "giu");
}

export type Redactor = (text: string, recordNames?: readonly string[]) => string;

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const enabled = new Set<RedactCategory>(options.categories ?? ["url", "email", "ip", "ssn", "mrn", "date", "phone", "address", "zip", "name", "id"]);
  const all = patterns(options.mrnPattern ?? defaultMrnPattern, options.minDigitRun ?? defaultMinDigitRun);
  const before = all.filter(([c]) => enabled.has(c) && c !== "id");
  const after = all.filter(([c]) => enabled.has(c) && c === "id");
  const staticNames = nameTokens(options.names ?? []);
  const names = enabled.has("name");
  const staticRe = names ? nameRegExp(staticNames) : undefined;
  // Records repeat name combinations: their patterns are kept (bounded) instead of compiled per row.
  const cache = new Map<string, RegExp | undefined>();
  const recordNameRegExp = (recordNames: readonly string[]) => {
    const key = recordNames.join("\u0000");
    if (cache.has(key)) return cache.get(key);
    if (cache.size >= 10_000) cache.clear();
    const re = nameRegExp(nameTokens([...staticNames, ...recordNames]));
    cache.set(key, re);
    return re;
  };
  return (input, recordNames = []) => {
    if (input === "") return input;
    let text = input.normalize("NFC");
    let stats = textStats(text);
    for (const [, re, tag, hint] of before) {
      if (!hint(text, stats)) continue;
      const next = text.replace(re, tag);
      if (next !== text) {
        text = next;
        stats = textStats(text);
      }
    }
    if (names) {
      const re = recordNames.length > 0 ? recordNameRegExp(recordNames) : staticRe;
      if (re) text = text.replace(re, "[NAME]");
    }
    if (after.length > 0) stats = textStats(text);
    for (const [, re, tag, hint] of after) if (hint(text, stats)) text = text.replace(re, tag);
    return text;
  };
}

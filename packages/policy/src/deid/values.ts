// Value-level transforms of the dateShift and generalize rules. Each returns undefined for a value it
// cannot read, and the caller decides (reject the file, or blank the value).

const DAY_MS = 86_400_000;

/** Three-digit ZIP areas of 20,000 people or fewer (HIPAA Safe Harbor, 2000 Census): written as "000". */
export const restrictedZip3 = new Set(["036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878", "879", "884", "890", "893"]);

// YYYY-MM-DD or YYYYMMDD, then optionally a time (T or space) with seconds, fractions and a zone; the rest is kept as written.
const ISO_DATE = /^(\d{4})(-?)(\d{2})\2(\d{2})((?:[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)$/;

interface IsoParts {
  ms: number;
  separator: string;
  rest: string;
}

function readIsoDate(value: string): IsoParts | undefined {
  const m = ISO_DATE.exec(value);
  if (!m) return undefined;
  const [, y, separator, mo, d, rest] = m as unknown as [string, string, string, string, string, string];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Rejects 2024-02-30 and the like (Date.UTC would roll them over).
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return { ms, separator, rest };
}

const pad = (n: number, w: number) => String(n).padStart(w, "0");

/** The date moved by `days`, written in the input's own format (time of day and zone kept as they were). */
export function shiftIsoDate(value: string, days: number): string | undefined {
  const parts = readIsoDate(value);
  if (!parts) return undefined;
  const d = new Date(parts.ms + days * DAY_MS);
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) return undefined;
  const s = parts.separator;
  return `${pad(year, 4)}${s}${pad(d.getUTCMonth() + 1, 2)}${s}${pad(d.getUTCDate(), 2)}${parts.rest}`;
}

/** Days from a to b, for tests and the UI (both ISO dates). */
export function daysBetween(a: string, b: string): number | undefined {
  const pa = readIsoDate(a);
  const pb = readIsoDate(b);
  return pa && pb ? Math.round((pb.ms - pa.ms) / DAY_MS) : undefined;
}

export function generalizeYear(value: string, aggregateBefore?: number): string | undefined {
  const year = /^\d{4}$/.test(value) ? Number(value) : readIsoDate(value) ? Number(value.slice(0, 4)) : undefined;
  if (year === undefined) return undefined;
  return aggregateBefore !== undefined && year < aggregateBefore ? `<${aggregateBefore}` : String(year);
}

export function generalizeAge(value: string): string | undefined {
  const v = value.trim();
  if (v === "90+") return v;
  if (!/^\d{1,3}(?:\.\d+)?$/.test(v)) return undefined;
  return Number(v) >= 90 ? "90+" : v;
}

export function generalizeZip(value: string): string | undefined {
  const m = /^(\d{3})(?:\d{2}(?:-?\d{4})?)?$/.exec(value.trim());
  if (!m) return undefined;
  return restrictedZip3.has(m[1]!) ? "000" : m[1]!;
}

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

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil): no Date object per value. */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const daysInMonth = (y: number, m: number) => (m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);
const digit = (value: string, i: number) => value.charCodeAt(i) - 48;
const isDigits = (value: string, from: number, to: number) => {
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
};

function readIsoDate(value: string): IsoParts | undefined {
  // The common case, YYYY-MM-DD, without a regular expression.
  if (value.length === 10 && value.charCodeAt(4) === 45 && value.charCodeAt(7) === 45 && isDigits(value, 0, 4) && isDigits(value, 5, 7) && isDigits(value, 8, 10)) {
    const year = digit(value, 0) * 1000 + digit(value, 1) * 100 + digit(value, 2) * 10 + digit(value, 3);
    const month = digit(value, 5) * 10 + digit(value, 6);
    const day = digit(value, 8) * 10 + digit(value, 9);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    return { ms: daysFromCivil(year, month, day) * DAY_MS, separator: "-", rest: "" };
  }
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
const pad4 = (n: number) => (n >= 1000 ? String(n) : pad(n, 4));

/** Year, month, day of a day count since 1970-01-01 (Hinnant's civil_from_days). */
function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** The date moved by `days`, written in the input's own format (time of day and zone kept as they were). */
export function shiftIsoDate(value: string, days: number): string | undefined {
  const parts = readIsoDate(value);
  if (!parts) return undefined;
  if (parts.rest === "") {
    const [year, month, day] = civilFromDays(parts.ms / DAY_MS + days);
    if (year < 0 || year > 9999) return undefined;
    const s = parts.separator;
    return `${pad4(year)}${s}${month < 10 ? "0" : ""}${month}${s}${day < 10 ? "0" : ""}${day}`;
  }
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

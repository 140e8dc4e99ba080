// Billing months are UTC calendar months, identified as "YYYY-MM".

export class MonthError extends Error {
  override readonly name = "MonthError";
}

export function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export function nextMonth(month: Date): Date {
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
}

export function monthKey(month: Date): string {
  return `${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** "2026-11" to the first instant of that UTC month; anything else is refused with a reason. */
export function parseMonth(key: string): Date {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (!m) throw new MonthError(`"${key}" is not a month: use YYYY-MM`);
  const month = Number(m[2]);
  if (month < 1 || month > 12) throw new MonthError(`"${key}" is not a month: the month must be 01 to 12`);
  return new Date(Date.UTC(Number(m[1]), month - 1, 1));
}

/** A month is closed once its last instant has passed (UTC). */
export const monthClosed = (month: Date, now: Date) => nextMonth(month).getTime() <= now.getTime();

/** "YYYY-MM-DD" of a UTC day. */
export const dayKey = (d: Date) => d.toISOString().slice(0, 10);

/** "YYYY-MM-DD" to midnight UTC of that day, refusing impossible dates. */
export function parseDay(key: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!d || dayKey(d) !== key) throw new MonthError(`"${key}" is not a day: use YYYY-MM-DD`);
  return d;
}

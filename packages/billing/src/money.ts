// Money and sizes as integers: bytes and cents are BigInts, prices are micro-dollars; no floating point touches a bill.

/** Billing uses decimal gigabytes: 1 GB = 10^9 bytes (stated on the billing page). */
export const BYTES_PER_GB = 1_000_000_000n;
/** 1 cent = 10^4 micro-dollars. */
const MICROS_PER_CENT = 10_000n;

/** a / b rounded half up (half a cent or more rounds up), for a >= 0, b > 0. */
export function divideRoundHalfUp(a: bigint, b: bigint): bigint {
  if (a < 0n || b <= 0n) throw new RangeError("divideRoundHalfUp takes a >= 0 and b > 0");
  return (2n * a + b) / (2n * b);
}

/**
 * What `bytes` cost at `priceMicrosPerGB`, in whole cents. The rounding rule: exact integer arithmetic, then half up
 * to the cent (0.5 cent and more rounds up, less rounds down), once per amount.
 */
export function chargeCents(bytes: bigint, priceMicrosPerGB: number): bigint {
  return divideRoundHalfUp(bytes * BigInt(priceMicrosPerGB), BYTES_PER_GB * MICROS_PER_CENT);
}

/** "$12.34" / "-$0.05" for integer cents. */
export function formatCents(cents: bigint | number): string {
  const c = BigInt(cents);
  const abs = c < 0n ? -c : c;
  const dollars = (abs / 100n).toLocaleString("en-US");
  return `${c < 0n ? "-" : ""}$${dollars}.${String(abs % 100n).padStart(2, "0")}`;
}

/** Dollars per GB (e.g. 0.02) to micro-dollars per GB, refusing more precision than a micro-dollar. */
export function dollarsToMicros(dollars: number): number {
  const micros = Math.round(dollars * 1_000_000);
  if (Math.abs(micros - dollars * 1_000_000) > 1e-6) throw new RangeError(`${dollars} has more precision than a micro-dollar`);
  return micros;
}

export const microsToDollars = (micros: number) => micros / 1_000_000;

/** Decimal gigabytes, for display ("1.234567891 GB" keeps every byte visible up to 9 decimals). */
export function formatGB(bytes: bigint | number, digits = 3): string {
  const b = BigInt(bytes);
  const whole = b / BYTES_PER_GB;
  const frac = (b < 0n ? -b : b) % BYTES_PER_GB;
  const fracText = String(frac).padStart(9, "0").slice(0, digits);
  return `${whole.toLocaleString("en-US")}${digits > 0 ? `.${fracText}` : ""} GB`;
}

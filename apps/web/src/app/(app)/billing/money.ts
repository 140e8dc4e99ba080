/** Integer cents as dollars ("$1,234.05", "-$0.04"). */
export function cents(value: number): string {
  const abs = Math.abs(value);
  return `${value < 0 ? "-" : ""}$${Math.floor(abs / 100).toLocaleString("en-US")}.${String(abs % 100).padStart(2, "0")}`;
}

/** Decimal gigabytes (10^9 bytes), as billing counts them. */
export function gb(bytes: number, digits?: number) {
  // Small amounts keep their significant digits (0.000141 GB, not 0.000 GB).
  const d = digits ?? (bytes > 0 && bytes < 10_000_000 ? 6 : 3);
  return `${(bytes / 1e9).toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d })} GB`;
}

/** Micro-dollars per GB as dollars ("$0.02"). */
export const pricePerGB = (micros: number) => `$${(micros / 1e6).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;

// k-anonymity of a (transformed) table over its quasi-identifiers. Memory grows with the number of
// distinct quasi-identifier combinations only, never with the number of rows.

export interface KAnonymityResult {
  /** The smallest equivalence class (0 when there are no rows). */
  k: number;
  groups: number;
  rows: number;
  /** Classes smaller than the threshold, and the rows in them. */
  smallGroups: number;
  rowsInSmallGroups: number;
  threshold: number;
  /** k is under the threshold. */
  warning: boolean;
}

export async function kAnonymity(
  rows: AsyncIterable<Readonly<Record<string, string>>> | Iterable<Readonly<Record<string, string>>>,
  quasiIdentifiers: readonly string[],
  options: { threshold?: number } = {},
): Promise<KAnonymityResult> {
  const threshold = options.threshold ?? 5;
  const classes = new Map<string, number>();
  let count = 0;
  for await (const row of rows) {
    // \u0000 cannot occur in CSV text values, so joined keys cannot collide.
    const key = quasiIdentifiers.map((q) => row[q] ?? "").join("\u0000");
    classes.set(key, (classes.get(key) ?? 0) + 1);
    count++;
  }
  let k = count === 0 ? 0 : Infinity;
  let smallGroups = 0;
  let rowsInSmallGroups = 0;
  for (const size of classes.values()) {
    if (size < k) k = size;
    if (size < threshold) {
      smallGroups++;
      rowsInSmallGroups += size;
    }
  }
  return { k, groups: classes.size, rows: count, smallGroups, rowsInSmallGroups, threshold, warning: count > 0 && k < threshold };
}

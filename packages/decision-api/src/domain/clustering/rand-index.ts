/**
 * The adjusted Rand index (Hubert & Arabie 1985) of two labellings of the same items: 1 when they group the items
 * identically (whatever the labels are called), about 0 when they agree no more than chance, below 0 when worse.
 * It says how well clusters recover known groups, or how much a retrained model moved its customers.
 */
export function adjustedRandIndex<A, B>(first: readonly A[], second: readonly B[]): number {
  if (first.length !== second.length) {
    throw new RangeError(`[touchpoint] labellings differ in length: ${first.length} and ${second.length}`);
  }
  const n = first.length;
  const cells = new Map<A, Map<B, number>>();
  const rows = new Map<A, number>();
  const columns = new Map<B, number>();
  for (let i = 0; i < n; i++) {
    const a = first[i] as A;
    const b = second[i] as B;
    const row = cells.get(a) ?? new Map<B, number>();
    row.set(b, (row.get(b) ?? 0) + 1);
    cells.set(a, row);
    rows.set(a, (rows.get(a) ?? 0) + 1);
    columns.set(b, (columns.get(b) ?? 0) + 1);
  }
  let pairsTogether = 0;
  for (const row of cells.values()) for (const count of row.values()) pairsTogether += pairs(count);
  let rowPairs = 0;
  for (const count of rows.values()) rowPairs += pairs(count);
  let columnPairs = 0;
  for (const count of columns.values()) columnPairs += pairs(count);

  const expected = n < 2 ? 0 : (rowPairs * columnPairs) / pairs(n);
  const maximum = (rowPairs + columnPairs) / 2;
  // Both labellings put everything in one group, or everything apart: they agree perfectly.
  if (maximum === expected) return 1;
  return (pairsTogether - expected) / (maximum - expected);
}

function pairs(count: number): number {
  return (count * (count - 1)) / 2;
}

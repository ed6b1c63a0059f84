/**
 * The assignment problem solved exactly by the Hungarian algorithm (Kuhn–Munkres, in the O(n²m) form with
 * potentials): pairs each row with a different column so that the sum of the pairs' costs is the least possible.
 * Greedy pairing (closest pair first) can leave a later row with a far worse partner; this never does.
 *
 * Returns, for each row, its column; with more rows than columns, the rows left over get -1.
 */
export function minimumCostAssignment(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  if (rows === 0) return [];
  const columns = (cost[0] as readonly number[]).length;
  for (const row of cost) {
    if (row.length !== columns) throw new RangeError('[touchpoint] every row of a cost matrix needs the same length');
    if (row.some((value) => !Number.isFinite(value))) throw new RangeError('[touchpoint] costs must be finite');
  }
  if (rows > columns) {
    const transposed = Array.from({ length: columns }, (_, j) => cost.map((row) => row[j] as number));
    const rowOfColumn = minimumCostAssignment(transposed);
    const columnOfRow = new Array<number>(rows).fill(-1);
    rowOfColumn.forEach((row, column) => {
      columnOfRow[row] = column;
    });
    return columnOfRow;
  }

  // 1-based, column 0 is a sentinel: rowOf[j] is the row paired with column j.
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(columns + 1);
  const rowOf = new Int32Array(columns + 1);
  const way = new Int32Array(columns + 1);
  for (let i = 1; i <= rows; i++) {
    rowOf[0] = i;
    let column = 0;
    const slack = new Float64Array(columns + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Uint8Array(columns + 1);
    do {
      used[column] = 1;
      const row = rowOf[column] as number;
      let delta = Number.POSITIVE_INFINITY;
      let next = 0;
      for (let j = 1; j <= columns; j++) {
        if (used[j]) continue;
        const reduced = ((cost[row - 1] as readonly number[])[j - 1] as number) - (u[row] as number) - (v[j] as number);
        if (reduced < (slack[j] as number)) {
          slack[j] = reduced;
          way[j] = column;
        }
        if ((slack[j] as number) < delta) {
          delta = slack[j] as number;
          next = j;
        }
      }
      for (let j = 0; j <= columns; j++) {
        if (used[j]) {
          const paired = rowOf[j] as number;
          u[paired] = (u[paired] as number) + delta;
          v[j] = (v[j] as number) - delta;
        } else {
          slack[j] = (slack[j] as number) - delta;
        }
      }
      column = next;
    } while (rowOf[column] !== 0);
    do {
      const previous = way[column] as number;
      rowOf[column] = rowOf[previous] as number;
      column = previous;
    } while (column !== 0);
  }

  const columnOfRow = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= columns; j++) {
    const row = rowOf[j] as number;
    if (row > 0) columnOfRow[row - 1] = j - 1;
  }
  return columnOfRow;
}

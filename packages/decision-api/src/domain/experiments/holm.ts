/**
 * Holm–Bonferroni step-down adjustment: controls the family-wise error rate at α for any dependence between the tests
 * (variants sharing one control are correlated), and rejects at least what Bonferroni rejects. Each adjusted p-value
 * is compared with α directly. Works on always-valid p-values too: they are valid p-values at any stopping time.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/**
 * Share of a run's items processed, in percent with one decimal, rounded down so that 100
 * means every item is done (199 of 200 reads 99.5, never 100). An empty run is complete.
 */
export function progressPercent(processed: number, total: number): number {
  if (total <= 0) return 100;
  return Math.min(100, Math.floor((processed * 1000) / total) / 10);
}

/** Applied over applied + dead-lettered (skipped items were neither); null before either happened. */
export function runSuccessRate(succeeded: number, failed: number): number | null {
  const decided = succeeded + failed;
  return decided === 0 ? null : succeeded / decided;
}

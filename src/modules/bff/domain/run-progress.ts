/**
 * Share of a run's items processed, in percent with one decimal, rounded down so that 100
 * means every item is done (199 of 200 reads 99.5, never 100). An empty run is complete.
 */
export function progressPercent(processed: number, total: number): number {
  if (total <= 0) return 100;
  return Math.min(100, Math.floor((processed * 1000) / total) / 10);
}

/**
 * A run's progress as the phone shows it: its items' share, except that a pull run still
 * fetching pages is no further along than its fetch (the workers keep up with what has arrived,
 * so its items alone would read 100% a minute into a long sync).
 */
export function runProgressPercent(processed: number, total: number, fetchingEstimate: number | undefined): number {
  const items = progressPercent(processed, total);
  return fetchingEstimate === undefined ? items : Math.min(items, Math.floor(fetchingEstimate * 10) / 10);
}

/** Applied over applied + dead-lettered (skipped items were neither); null before either happened. */
export function runSuccessRate(succeeded: number, failed: number): number | null {
  const decided = succeeded + failed;
  return decided === 0 ? null : succeeded / decided;
}

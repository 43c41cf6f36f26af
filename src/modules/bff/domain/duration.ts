const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Units from the largest down, each with the one below it for the second part. */
const UNITS: readonly [number, string][] = [
  [DAY, 'd'],
  [HOUR, 'h'],
  [MINUTE, 'm'],
  [SECOND, 's'],
];

/**
 * A duration as a person reads it: the two largest units, the second left out when zero
 * ("2m 15s", "45s", "1h 3m", "2h"), milliseconds below a second ("350ms"). Truncated, not
 * rounded, so a run of 59.9 s never reads as a minute. Null stays null (not started).
 */
export function formatDuration(ms: number | null): string | null {
  if (ms === null) return null;
  const whole = Math.max(0, Math.trunc(ms));
  if (whole < SECOND) return `${whole}ms`;
  const index = UNITS.findIndex(([size]) => whole >= size);
  const [size, unit] = UNITS[index];
  const first = Math.trunc(whole / size);
  const next = UNITS[index + 1];
  const second = next ? Math.trunc((whole % size) / next[0]) : 0;
  return second > 0 ? `${first}${unit} ${second}${next[1]}` : `${first}${unit}`;
}

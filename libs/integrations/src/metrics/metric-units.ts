/**
 * Every unit conversion at the metrics boundary, one named function each, so a
 * reader can see which unit a vendor field is in at the call site. The seed
 * lost a day to a µs/ms mix-up (a 600 ms p99 reported as 600 000): nothing
 * after the adapters carries a number whose unit is not in its name.
 */

/** SigNoz `p99`/`avgDuration` and span `duration_nano` → ms (600 000 000 ns = 600 ms). */
export function nanosecondsToMs(nanoseconds: number): number {
  return nanoseconds / 1e6;
}

/** Prometheus base unit (`*_seconds` histograms) → ms. */
export function secondsToMs(seconds: number): number {
  return seconds * 1000;
}

/** `*_milliseconds` histograms (older OTel exporters) are already ms; named so the call site says so. */
export function millisecondsToMs(milliseconds: number): number {
  return milliseconds;
}

/** Our ms → the ns SigNoz filters on (`duration_nano >= …`). */
export function msToNanoseconds(ms: number): number {
  return Math.round(ms * 1e6);
}

/** SigNoz `errorRate` is a percentage 0–100 → our ratio 0–1. */
export function percentToRatio(percent: number): number {
  return percent / 100;
}

/** CPU seconds per second (1 = one core busy) → percent of one core. */
export function coreSecondsPerSecondToPercent(coreSecondsPerSecond: number): number {
  return coreSecondsPerSecond * 100;
}

/**
 * Epoch ms → epoch ns as a decimal string, what SigNoz's `/api/v1|v2/services`
 * wants for `start`/`end`. BigInt: 1.7e18 is beyond float64's exact integers.
 */
export function epochMsToNanosString(epochMs: number): string {
  return (BigInt(Math.round(epochMs)) * 1_000_000n).toString();
}

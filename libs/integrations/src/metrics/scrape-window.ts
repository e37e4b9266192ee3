import { histogramQuantile, type CumulativeBucket } from './histogram-quantile';
import { type ServiceSample, type UnmeasuredMetric } from './metrics-source.port';
import { coreSecondsPerSecondToPercent, millisecondsToMs, secondsToMs } from './metric-units';
import {
  addToTally,
  DEFAULT_REQUEST_STATUS,
  EMPTY_TALLY,
  errorRatioOf,
  type RequestStatusConventions,
  unclassifiedReason,
} from './request-status';
import { LATENCY_HISTOGRAM_FAMILIES, type LatencyUnit, type ScrapeReading } from './scrape-reading';

/** The quantile the port reports. */
const P99 = 0.99;

/**
 * A process start time that moved by more than this is a restart. prom-client
 * computes it once at start-up; the tolerance only absorbs exporters that
 * recompute it (uptime rounding).
 */
const START_TIME_TOLERANCE_S = 1;

export interface ScrapeWindowOptions {
  /** The container/process memory limit, when known: memory is reported only as a share of it. */
  readonly memoryLimitBytes?: number;
  /** The status labels looked for (named when errors cannot be measured); default: the shipped ones. */
  readonly requestStatus?: RequestStatusConventions;
}

/**
 * RED metrics (and CPU/memory when exposed) over the window between two
 * scrapes of one target, computed like PromQL's increase(): per series, a
 * counter that went down was reset by a restart, so its increase is its new
 * value — never a negative rate. A changed process start time means every
 * series restarted, even one that happens to be higher than before.
 */
export function computeScrapeWindow(
  service: string,
  base: ScrapeReading,
  current: ScrapeReading,
  options: ScrapeWindowOptions = {},
): ServiceSample {
  const windowS = (current.atMs - base.atMs) / 1000;
  if (!(windowS > 0))
    throw new Error(`${service}: scrape window must be positive, got ${windowS} s`);
  const restarted = processRestarted(base, current);

  let tally = EMPTY_TALLY;
  const sameRequestFamily = base.requestFamily === current.requestFamily;
  for (const [key, series] of current.requests) {
    const before = sameRequestFamily ? base.requests.get(key)?.value : undefined;
    tally = addToTally(tally, series.outcome, counterIncrease(before, series.value, restarted));
  }
  const requests = tally.requests;
  const errorRatio = errorRatioOf(tally);
  const unmeasured: UnmeasuredMetric[] = [];
  if (errorRatio === 'unmeasurable') {
    const labelled = [...current.requests.values()].some((s) => s.outcome !== 'unclassified');
    unmeasured.push({
      metric: 'error_rate_ratio',
      reason: unclassifiedReason(
        current.requestFamily,
        options.requestStatus ?? DEFAULT_REQUEST_STATUS,
        labelled,
      ),
    });
  }
  if (requests > 0 && current.latency === null) {
    unmeasured.push({
      metric: 'latency_p99_ms',
      reason: `no latency histogram (looked for ${LATENCY_HISTOGRAM_FAMILIES.map((h) => h.family).join(', ')}) — p99 cannot be measured`,
    });
  }

  const latencyBuckets = latencyIncrease(base, current, restarted);
  const p99 =
    requests > 0 && latencyBuckets !== null && current.latency !== null
      ? toMs(histogramQuantile(P99, latencyBuckets), current.latency.unit)
      : null;

  const sample: ServiceSample = {
    service,
    at: new Date(current.atMs).toISOString(),
    window_s: windowS,
    request_rate_rps: requests / windowS,
    error_rate_ratio: errorRatio === 'unmeasurable' ? null : errorRatio,
    latency_p99_ms: p99,
    ...(unmeasured.length === 0 ? {} : { unmeasured }),
  };
  const cpu = cpuPercent(base, current, restarted, windowS);
  const memory = memoryPercent(current, options.memoryLimitBytes);
  return {
    ...sample,
    ...(cpu === undefined ? {} : { cpu_usage_percent: cpu }),
    ...(memory === undefined ? {} : { memory_usage_percent: memory }),
  };
}

/** Increase of one cumulative counter between two readings (PromQL's reset rule). */
export function counterIncrease(
  before: number | undefined,
  now: number,
  restarted: boolean,
): number {
  if (restarted || before === undefined || now < before) return now;
  return now - before;
}

function processRestarted(base: ScrapeReading, current: ScrapeReading): boolean {
  if (base.processStartTimeS === undefined || current.processStartTimeS === undefined) return false;
  return Math.abs(current.processStartTimeS - base.processStartTimeS) > START_TIME_TOLERANCE_S;
}

/** Per-bucket increase summed over all series (`sum by (le) (increase(…_bucket))`). */
function latencyIncrease(
  base: ScrapeReading,
  current: ScrapeReading,
  restarted: boolean,
): CumulativeBucket[] | null {
  const now = current.latency;
  if (now === null) return null;
  const before = base.latency?.family === now.family ? base.latency : null;
  const summed = new Map<number, number>();
  for (const [key, buckets] of now.series) {
    const previous = before?.series.get(key);
    // A series whose any bucket went down restarted as a whole.
    const reset =
      restarted ||
      previous === undefined ||
      [...buckets].some(([le, count]) => count < (previous.get(le) ?? 0));
    for (const [le, count] of buckets) {
      const increase = reset ? count : count - (previous?.get(le) ?? 0);
      summed.set(le, (summed.get(le) ?? 0) + increase);
    }
  }
  return [...summed].map(([le, count]) => ({ le, count }));
}

function toMs(value: number | null, unit: LatencyUnit): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return unit === 'seconds' ? secondsToMs(value) : millisecondsToMs(value);
}

function cpuPercent(
  base: ScrapeReading,
  current: ScrapeReading,
  restarted: boolean,
  windowS: number,
): number | undefined {
  if (base.cpuSecondsTotal === undefined || current.cpuSecondsTotal === undefined) return undefined;
  const cpuSeconds = counterIncrease(base.cpuSecondsTotal, current.cpuSecondsTotal, restarted);
  return coreSecondsPerSecondToPercent(cpuSeconds / windowS);
}

function memoryPercent(current: ScrapeReading, limitBytes: number | undefined): number | undefined {
  if (limitBytes === undefined || !(limitBytes > 0) || current.residentMemoryBytes === undefined) {
    return undefined;
  }
  return (current.residentMemoryBytes / limitBytes) * 100;
}

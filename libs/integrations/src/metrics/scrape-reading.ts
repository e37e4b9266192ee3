import { type ParsedExposition } from './prometheus-text.parser';
import {
  classifyRequests,
  type RequestOutcome,
  type RequestStatusConventions,
} from './request-status';

/** The unit a latency histogram's `le` bounds are in, from its name (`_seconds`, `_milliseconds`). */
export type LatencyUnit = 'seconds' | 'milliseconds';

/** Request counters we understand, most specific first: prom-client's convention, then OTel's. */
export const REQUEST_COUNTER_FAMILIES = [
  'http_requests_total',
  'http_server_requests_total',
] as const;

/** Latency histograms we understand, with the unit their name promises. */
export const LATENCY_HISTOGRAM_FAMILIES: readonly { family: string; unit: LatencyUnit }[] = [
  { family: 'http_request_duration_seconds', unit: 'seconds' }, // prom-client convention
  { family: 'http_server_request_duration_seconds', unit: 'seconds' }, // OTel semconv ≥ 1.23
  { family: 'http_server_duration_milliseconds', unit: 'milliseconds' }, // older OTel exporters
];

export interface RequestSeries {
  /** Cumulative count. */
  readonly value: number;
  /** By the series' status label (`unclassified`: it has none of the configured ones). */
  readonly outcome: RequestOutcome;
}

export interface LatencyHistogram {
  readonly family: string;
  readonly unit: LatencyUnit;
  /** Series (labels without `le`) → bucket bound → cumulative count. */
  readonly series: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

/** What one scrape of one target says, reduced to what the window computation needs. */
export interface ScrapeReading {
  /** Epoch ms when the exposition was read. */
  readonly atMs: number;
  /** Which family the request counts came from (a histogram's `_count` when there is no counter). */
  readonly requestFamily: string;
  /** Series key → cumulative request count. */
  readonly requests: ReadonlyMap<string, RequestSeries>;
  readonly latency: LatencyHistogram | null;
  /** prom-client default metrics, when exposed. */
  readonly cpuSecondsTotal?: number;
  readonly residentMemoryBytes?: number;
  /** Changes when the process restarts: every counter starts over. */
  readonly processStartTimeS?: number;
}

/** The exposition has none of the request metrics we understand. */
export class NoHttpMetricsError extends Error {
  override readonly name = 'NoHttpMetricsError';

  constructor() {
    super(
      `no HTTP request metrics (looked for ${[
        ...REQUEST_COUNTER_FAMILIES,
        ...LATENCY_HISTOGRAM_FAMILIES.map((h) => h.family),
      ].join(', ')})`,
    );
  }
}

/**
 * Reduces a parsed exposition to a ScrapeReading. A family that is declared
 * (`# TYPE`) but has no samples yet is a service without traffic: prom-client
 * prints labelled counters only after their first increment.
 */
export function readScrape(
  exposition: ParsedExposition,
  atMs: number,
  requestStatus: RequestStatusConventions,
): ScrapeReading {
  const byName = groupByName(exposition);
  const declared = (family: string) =>
    exposition.types.has(family) ||
    exposition.help.has(family) ||
    // OpenMetrics declares counters without their `_total` suffix.
    (family.endsWith('_total') && exposition.types.has(family.slice(0, -'_total'.length)));

  const histogram =
    LATENCY_HISTOGRAM_FAMILIES.find(({ family }) => byName.has(`${family}_bucket`)) ??
    LATENCY_HISTOGRAM_FAMILIES.find(({ family }) => declared(family));
  const histogramCount = histogram === undefined ? undefined : `${histogram.family}_count`;
  // Counts from the counter when it has samples, else from the histogram's `_count`;
  // a family that is only declared means no traffic yet (zero).
  const requestFamily =
    REQUEST_COUNTER_FAMILIES.find((family) => byName.has(family)) ??
    (histogramCount !== undefined && byName.has(histogramCount) ? histogramCount : undefined) ??
    REQUEST_COUNTER_FAMILIES.find((family) => declared(family)) ??
    histogramCount;
  if (requestFamily === undefined) throw new NoHttpMetricsError();
  const requestSamples = byName.get(requestFamily) ?? [];

  const requests = new Map<string, RequestSeries>();
  for (const sample of requestSamples) {
    if (!Number.isFinite(sample.value)) continue;
    const key = seriesKey(sample.labels);
    const previous = requests.get(key);
    requests.set(key, {
      value: (previous?.value ?? 0) + sample.value,
      outcome: classifyRequests(sample.labels, requestStatus),
    });
  }

  return {
    atMs,
    requestFamily,
    requests,
    latency:
      histogram === undefined ? null : readHistogram(byName, histogram.family, histogram.unit),
    ...optionalNumber('cpuSecondsTotal', single(byName, 'process_cpu_seconds_total')),
    ...optionalNumber('residentMemoryBytes', single(byName, 'process_resident_memory_bytes')),
    ...optionalNumber('processStartTimeS', single(byName, 'process_start_time_seconds')),
  };
}

interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function groupByName(exposition: ParsedExposition): Map<string, Sample[]> {
  const byName = new Map<string, Sample[]>();
  for (const sample of exposition.samples) {
    const list = byName.get(sample.name);
    if (list === undefined) byName.set(sample.name, [sample]);
    else list.push(sample);
  }
  return byName;
}

function readHistogram(
  byName: Map<string, Sample[]>,
  family: string,
  unit: LatencyUnit,
): LatencyHistogram {
  const series = new Map<string, Map<number, number>>();
  for (const sample of byName.get(`${family}_bucket`) ?? []) {
    const leText = sample.labels['le'];
    if (leText === undefined || !Number.isFinite(sample.value)) continue;
    const le = leText === '+Inf' ? Number.POSITIVE_INFINITY : Number(leText);
    if (Number.isNaN(le)) continue;
    const key = seriesKey(sample.labels, 'le');
    let buckets = series.get(key);
    if (buckets === undefined) {
      buckets = new Map();
      series.set(key, buckets);
    }
    buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
  }
  return { family, unit, series };
}

/** A stable identity for a label set (order-independent), optionally without one label. */
export function seriesKey(labels: Readonly<Record<string, string>>, without?: string): string {
  return JSON.stringify(
    Object.keys(labels)
      .filter((name) => name !== without)
      .sort()
      .map((name) => [name, labels[name]]),
  );
}

function single(byName: Map<string, Sample[]>, name: string): number | undefined {
  const value = byName.get(name)?.[0]?.value;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function optionalNumber<K extends string>(
  key: K,
  value: number | undefined,
): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

import { DEFAULT_ERROR_STATUS_PREFIXES, DEFAULT_STATUS_LABELS } from '@opscrew/config';

/**
 * How a request series says whether its requests failed (`integrations.metrics.request_status`):
 * the labels that may carry the HTTP status, in the order they are looked for, and the status
 * prefixes that count as errors. One definition for every source that reads labels (scrape,
 * Prometheus), so the same exporter gives the same error rate whichever way it is read.
 */
export interface RequestStatusConventions {
  readonly labels: readonly string[];
  readonly error_prefixes: readonly string[];
}

export const DEFAULT_REQUEST_STATUS: RequestStatusConventions = {
  labels: DEFAULT_STATUS_LABELS,
  error_prefixes: DEFAULT_ERROR_STATUS_PREFIXES,
};

/** `unclassified`: the series carries none of the status labels, so nobody can say. */
export type RequestOutcome = 'error' | 'ok' | 'unclassified';

/**
 * The status of one series: the value of the first configured label it carries. An empty
 * value is no value (Prometheus treats `code=""` as the label being absent).
 */
export function statusOf(
  labels: Readonly<Record<string, string>>,
  conventions: RequestStatusConventions,
): string | undefined {
  for (const label of conventions.labels) {
    const value = labels[label];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** Whether the requests counted by one series failed, by its status label. */
export function classifyRequests(
  labels: Readonly<Record<string, string>>,
  conventions: RequestStatusConventions,
): RequestOutcome {
  const status = statusOf(labels, conventions);
  if (status === undefined) return 'unclassified';
  return conventions.error_prefixes.some((prefix) => status.startsWith(prefix)) ? 'error' : 'ok';
}

/**
 * Requests over a window, split by outcome. The error ratio is over the requests whose
 * status is known: unlabelled requests are neither failures nor successes, and when no
 * request had a status the ratio is not a number anyone measured.
 */
export interface RequestTally {
  readonly requests: number;
  readonly classified: number;
  readonly errors: number;
}

export function addToTally(
  tally: RequestTally,
  outcome: RequestOutcome,
  count: number,
): RequestTally {
  return {
    requests: tally.requests + count,
    classified: tally.classified + (outcome === 'unclassified' ? 0 : count),
    errors: tally.errors + (outcome === 'error' ? count : 0),
  };
}

export const EMPTY_TALLY: RequestTally = { requests: 0, classified: 0, errors: 0 };

/**
 * The error ratio of a tally: null with no traffic (nothing to measure), `unmeasurable` when
 * there was traffic but none of it carried a status (never a 0 that reads as healthy).
 */
export function errorRatioOf(tally: RequestTally): number | null | 'unmeasurable' {
  if (!(tally.requests > 0)) return null;
  if (!(tally.classified > 0)) return 'unmeasurable';
  return tally.errors / tally.classified;
}

/**
 * Why errors cannot be measured, naming the series and every label looked for, e.g.
 * `no http_requests_total series with a status label among status_code, code, … — errors
 * cannot be measured`. `series` says which series (a metric name, with its selector).
 */
export function unclassifiedReason(
  series: string,
  conventions: RequestStatusConventions,
  hadLabelledSeries = false,
): string {
  const among = conventions.labels.join(', ');
  return hadLabelledSeries
    ? `no traffic on the ${series} series with a status label (${among}) while unlabelled ones had some — errors cannot be measured`
    : `no ${series} series with a status label among ${among} — errors cannot be measured`;
}

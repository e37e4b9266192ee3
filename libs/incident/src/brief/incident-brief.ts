import { type FingerprintRecord, type IncidentRecord } from '@opscrew/contracts';
import { fingerprintFacts } from '../model/incident-model';
import {
  type RunbookCatalog,
  selectRunbook,
  type SelectableRunbook,
} from '../runbooks/runbook.selector';

/**
 * Everything a human needs to act on a new incident, computed once and
 * rendered as a ticket and as an alert. Deterministic (templates, config);
 * a model-written triage summary can be added on top but is never required.
 */
export interface IncidentBrief {
  readonly incidentId: string;
  readonly service: string;
  readonly symptom: string;
  readonly severity: IncidentRecord['severity'];
  readonly headline: string;
  readonly detectedAt: string;
  readonly value: string;
  readonly threshold: string | null;
  readonly detail: string;
  readonly impact: string;
  readonly dependencies: readonly string[];
  readonly runbook: {
    readonly name: string;
    readonly description: string;
    readonly steps: readonly string[];
  } | null;
  readonly traceUrl: string | null;
}

const SYMPTOM_TITLES: Record<string, string> = {
  high_error_rate: 'error rate spike',
  high_latency: 'latency spike',
  error_rate_drift: 'error rate creeping up',
  latency_drift: 'latency creeping up',
  oom_kill: 'killed for memory',
  connection_pool_exhaustion: 'connection pool exhausted',
  container_crash: 'container crashed',
  dependency_failure: 'dependency failing',
  high_cpu: 'CPU saturated',
  high_memory: 'memory near its limit',
  traffic_drop: 'traffic dropped',
};

const IMPACT_BY_CRITICALITY: Record<string, string> = {
  critical: 'High: users are directly affected (page views, orders or payments fail or stall).',
  high: 'Significant: a core shopping function degrades (cart, catalogue, currency).',
  medium: 'Moderate: a secondary function degrades (recommendations, shipping quotes, mail).',
  low: 'Low: optional content is affected (ads, images, back-office consumers).',
};

/**
 * What a brief is made from: the incident as the ledger names it (an `incident.detected` event
 * carries the same fields), its metric always named, and the detection's sentence.
 */
export type IncidentBriefFacts = Readonly<
  Pick<
    IncidentRecord,
    'incident_id' | 'service' | 'symptom' | 'severity' | 'value' | 'threshold' | 'detected_at'
  > &
    Required<Pick<IncidentRecord, 'metric'>> &
    Pick<FingerprintRecord, 'detail'>
>;

/** The brief's facts of an incident ops-monitor is opening, from its fingerprint index entry. */
export function briefFacts(record: FingerprintRecord): IncidentBriefFacts {
  return { ...fingerprintFacts(record), metric: record.metric, detail: record.detail };
}

/** A runbook as a brief describes it (config `thresholds.runbooks.patterns.<name>`). */
export interface BriefRunbook extends SelectableRunbook {
  readonly description: string;
  readonly actions: readonly {
    readonly step: number;
    readonly action: string;
    readonly description?: string;
  }[];
}

/**
 * What a brief reads of the configuration. libs/config's OpscrewConfig satisfies it as it is;
 * the brief names only what it uses, so the domain needs no config loader.
 */
export interface BriefSources {
  readonly services: {
    readonly watched: ReadonlyMap<
      string,
      {
        readonly description: string;
        readonly criticality: string;
        readonly depends_on: readonly string[];
      }
    >;
  };
  readonly thresholds: { readonly runbooks: RunbookCatalog<BriefRunbook> };
  readonly integrations: { readonly signoz?: { readonly url: string } | undefined };
}

export function buildBrief(record: IncidentBriefFacts, config: BriefSources): IncidentBrief {
  const service = config.services.watched.get(record.service);
  // Nobody has looked at logs yet (evidence null): the same selector jira-resolver runs later.
  const runbookName = selectRunbook(record.symptom, null, config.thresholds.runbooks)?.name;
  const runbook = runbookName ? config.thresholds.runbooks.patterns.get(runbookName) : undefined;
  const signoz = config.integrations.signoz;
  return {
    incidentId: record.incident_id,
    service: record.service,
    symptom: record.symptom,
    severity: record.severity,
    headline: `${record.service}: ${SYMPTOM_TITLES[record.symptom] ?? record.symptom.replaceAll('_', ' ')} (${formatValue(record.metric, record.value)})`,
    detectedAt: record.detected_at,
    value: formatValue(record.metric, record.value),
    threshold: record.threshold === undefined ? null : formatValue(record.metric, record.threshold),
    detail: record.detail,
    impact:
      `${IMPACT_BY_CRITICALITY[service?.criticality ?? 'medium'] ?? ''}${service ? ` ${service.description}.` : ''}`.trim(),
    dependencies: service?.depends_on ?? [],
    runbook:
      runbookName && runbook
        ? {
            name: runbookName,
            description: runbook.description,
            steps: runbook.actions.map(
              (step) =>
                `${step.step}. ${step.action}${step.description ? ` — ${step.description}` : ''}`,
            ),
          }
        : null,
    traceUrl: signoz
      ? `${signoz.url.replace(/\/$/, '')}/services/${encodeURIComponent(wellFormed(record.service))}`
      : null,
  };
}

/** A value in its unit, as people read it: ratios as percentages, latencies in ms or s. */
export function formatValue(metric: string, value: number): string {
  if (metric.endsWith('_ratio')) return `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`;
  if (metric.endsWith('_ms'))
    return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
  if (metric.endsWith('_percent')) return `${value.toFixed(0)} %`;
  if (metric.endsWith('_rps')) return `${value.toFixed(1)} rps`;
  return String(value);
}

/**
 * `text` with each lone surrogate half replaced by U+FFFD: encodeURIComponent
 * throws URIError on one, and a service name is data (any string may arrive).
 */
function wellFormed(text: string): string {
  return text.replace(/\p{Cs}/gu, '\uFFFD');
}

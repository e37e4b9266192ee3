import { type AlertingConfig, type DetectionConfig } from '@opscrew/config';
import { type MetricsSnapshot, type ServiceSample } from '@opscrew/integrations';
import { absoluteAnomalies, percent } from './absolute.rule';
import {
  type Anomaly,
  type DataQualityWarning,
  type DetectionResult,
  type MetricName,
} from './anomaly';
import { attributeToDependencies } from './dependency.attribution';
import { medianOf, type RelativeReference, relativeAnomalies } from './relative.rule';
import { sanitise } from './sanity.guard';
import { classifySeverity, severityRank } from './severity.classifier';
import { ThresholdsResolver } from './thresholds.resolver';

/** What the engine needs from a drift detector (DriftDetector implements it). */
export interface DriftLike {
  update(
    value: number,
    atMs: number,
  ): {
    anomalous: boolean;
    score: number;
    direction: 'up' | 'down' | null;
    baseline: number | null;
    kind: string;
  };
}
export type DriftFactory = (service: string, metric: MetricName) => DriftLike;

/** Metrics whose drift upwards is trouble (traffic drift is left alone: load tests move it on purpose). */
const DRIFT_METRICS = [
  { metric: 'error_rate_ratio', symptom: 'error_rate_drift' },
  { metric: 'latency_p99_ms', symptom: 'latency_drift' },
] as const;

const RULE_RANK = { absolute: 3, relative: 2, drift: 1 } as const;

/**
 * A dependency's trouble explains its callers' for this many cycles: the
 * caller's error window can lag the dependency's by a scrape or two.
 */
const TROUBLE_MEMORY_CYCLES = 3;

interface ServiceState {
  /** The last measured windows with enough traffic (newest last), for the relative reference. */
  recent: ServiceSample[];
  drift: Map<MetricName, DriftLike>;
}

/**
 * One cycle of detection over a snapshot: sanity guard, then absolute,
 * relative and drift rules for every service with a sample. At most one
 * anomaly per fingerprint (service + symptom) per cycle, the most severe.
 * A locked service (deliberate load) yields informational anomalies only.
 * Keeps per-service state (previous sample, learned baselines) in memory.
 */
export class DetectionEngine {
  private readonly state = new Map<string, ServiceState>();
  private readonly thresholds: ThresholdsResolver;
  /** Service → { symptom, cycle } of its last own (non-informational) anomaly. */
  private readonly trouble = new Map<string, { symptom: string; cycle: number }>();
  private cycle = 0;

  constructor(
    private readonly alerting: AlertingConfig,
    private readonly detection: DetectionConfig,
    private readonly driftFactory: DriftFactory | null,
    /** The dependency graph (`services.watched[*].depends_on`); none: no inhibition. */
    private readonly dependsOn: (service: string) => readonly string[] = () => [],
  ) {
    this.thresholds = new ThresholdsResolver(alerting);
  }

  evaluate(snapshot: MetricsSnapshot, locked: ReadonlySet<string>): DetectionResult {
    const anomalies: Anomaly[] = [];
    const dataQuality: DataQualityWarning[] = [];
    const checked: string[] = [];
    const atMs = Date.parse(snapshot.at);
    this.cycle++;
    for (const raw of snapshot.samples) {
      checked.push(raw.service);
      const { sample, warnings } = sanitise(raw, this.detection.sanity);
      dataQuality.push(...warnings);
      const found = this.evaluateService(sample, Number.isFinite(atMs) ? atMs : Date.now());
      const merged = mergeByFingerprint(found);
      anomalies.push(...(locked.has(sample.service) ? merged.map(informational) : merged));
    }
    for (const anomaly of anomalies) {
      if (!anomaly.informational)
        this.trouble.set(anomaly.service, { symptom: anomaly.symptom, cycle: this.cycle });
    }
    const troubled = new Map<string, string>();
    for (const [service, entry] of this.trouble) {
      if (this.cycle - entry.cycle < TROUBLE_MEMORY_CYCLES) troubled.set(service, entry.symptom);
    }
    return {
      anomalies: attributeToDependencies(anomalies, this.dependsOn, troubled),
      dataQuality,
      checked,
    };
  }

  private evaluateService(sample: ServiceSample, atMs: number): Anomaly[] {
    const state = this.stateOf(sample.service);
    const thresholds = this.thresholds.for(sample.service);
    const bands = this.alerting.severity;
    const found: Anomaly[] = [];
    if (this.detection.absolute.enabled)
      found.push(...absoluteAnomalies(sample, thresholds, bands));
    found.push(...relativeAnomalies(sample, this.reference(state), this.detection.relative, bands));

    if (this.detection.drift.enabled && this.driftFactory) {
      for (const { metric, symptom } of DRIFT_METRICS) {
        const value = sample[metric];
        // A ratio over a trickle of requests is noise: it must neither alert nor become the baseline.
        if (value === null || sample.request_rate_rps < thresholds.min_request_rate_rps) continue;
        let detector = state.drift.get(metric);
        if (!detector) {
          detector = this.driftFactory(sample.service, metric);
          state.drift.set(metric, detector);
        }
        const verdict = detector.update(value, atMs);
        if (!verdict.anomalous || verdict.direction !== 'up') continue;
        const baseline = verdict.baseline ?? undefined;
        found.push({
          service: sample.service,
          symptom,
          rule: 'drift',
          metric,
          value,
          ...(baseline !== undefined ? { threshold: baseline } : {}),
          severity: classifySeverity(bands, metric, value),
          informational: false,
          detail:
            `${metric === 'error_rate_ratio' ? `error rate ${percent(value)}` : `p99 latency ${Math.round(value)} ms`} ` +
            `drifted up (${verdict.kind}, score ${verdict.score.toFixed(2)}` +
            `${baseline !== undefined ? `, baseline ${metric === 'error_rate_ratio' ? percent(baseline) : `${Math.round(baseline)} ms`}` : ''})`,
        });
      }
    }
    // Only windows with traffic enough to measure become part of the reference.
    const relative = this.detection.relative;
    if (sample.request_rate_rps * sample.window_s >= relative.min_window_requests) {
      state.recent.push(sample);
      if (state.recent.length > relative.reference_cycles) state.recent.shift();
    }
    return found;
  }

  private reference(state: ServiceState): RelativeReference | undefined {
    if (state.recent.length === 0) return undefined;
    return {
      error_rate_ratio: medianOf(state.recent.map((sample) => sample.error_rate_ratio)),
      latency_p99_ms: medianOf(state.recent.map((sample) => sample.latency_p99_ms)),
    };
  }

  private stateOf(service: string): ServiceState {
    let state = this.state.get(service);
    if (!state) {
      state = { recent: [], drift: new Map() };
      this.state.set(service, state);
    }
    return state;
  }
}

/**
 * One anomaly per symptom: the most severe, then the most direct rule. A drift
 * on a metric that already crossed a threshold is the same problem: dropped.
 */
function mergeByFingerprint(found: Anomaly[]): Anomaly[] {
  const crossed = new Set(
    found.filter((anomaly) => anomaly.rule !== 'drift').map((anomaly) => anomaly.metric),
  );
  const best = new Map<string, Anomaly>();
  for (const anomaly of found) {
    if (anomaly.rule === 'drift' && crossed.has(anomaly.metric)) continue;
    const current = best.get(anomaly.symptom);
    if (
      !current ||
      severityRank(anomaly.severity) > severityRank(current.severity) ||
      (severityRank(anomaly.severity) === severityRank(current.severity) &&
        RULE_RANK[anomaly.rule] > RULE_RANK[current.rule])
    ) {
      best.set(anomaly.symptom, anomaly);
    }
  }
  return [...best.values()];
}

function informational(anomaly: Anomaly): Anomaly {
  return {
    ...anomaly,
    informational: true,
    severity: 'info',
    detail: `${anomaly.detail} — service locked for deliberate work: informational, no ticket, no remediation`,
  };
}

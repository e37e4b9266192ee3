// Over ~300 lines: one cycle's detection over every service (rules, sanity guard, missing data, drift, the
// culprit through the dependency graph, trouble memory) shares per-service state; each rule is its own file.
import { type AlertingConfig, type DetectionConfig, type Symptom, SYMPTOMS } from '@opscrew/config';
import { type IncidentIdentity } from '@opscrew/incident';
import { type MetricsSnapshot, type ServiceSample } from '@opscrew/integrations';
import { absoluteAnomalies, percent } from './absolute.rule';
import {
  type Anomaly,
  type DataQualityWarning,
  type DetectionResult,
  type MetricName,
} from './anomaly';
import { CulpritFinder, type Trouble } from './culprit.finder';
import { CallerHold } from './caller-hold';
import { attributeToDependencies, elevationWhy, propagates } from './dependency.attribution';
import { absentServiceWarning, unmeasuredWarnings } from './missing-data';
import { medianOf, type RelativeReference, relativeAnomalies } from './relative.rule';
import { sanitise } from './sanity.guard';
import { classifySeverity, severityRank } from './severity.classifier';
import { ThresholdsResolver } from './thresholds.resolver';
import { type RecentWindow, type UsualLevels } from './usual-levels.store';

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

const RULE_RANK = { absolute: 3, relative: 2, drift: 1, dependency: 0 } as const;

/**
 * A dependency's trouble explains its callers' for this many cycles: the
 * caller's error window can lag the dependency's by a scrape or two.
 */
const TROUBLE_MEMORY_CYCLES = 3;

/**
 * An incident the crew is still working on a service (IncidentManager.openIncidents): its
 * identity less the service, which keys the map it comes in.
 */
export type OpenTrouble = Omit<IncidentIdentity, 'service'>;

interface ServiceState {
  /** The last measured windows with enough traffic (newest last), for the relative reference. */
  recent: RecentWindow[];
  drift: Map<MetricName, DriftLike>;
  /** Longer memory of measured windows (newest last): the service's usual level, for blaming. */
  usualLatency: number[];
  usualErrors: number[];
  /** This cycle's sample and whether it had requests to measure (set by evaluate). */
  current: ServiceSample | null;
  measured: boolean;
  /**
   * The last sample with requests, and its cycle: a quiet dependency (a request a second) often
   * has none in the very window its caller fails in, so blame looks back a few cycles.
   */
  lastMeasured: { sample: ServiceSample; cycle: number } | null;
}

/** The last own anomaly of a service, remembered for a few cycles: its callers' windows lag. */
interface RememberedTrouble {
  readonly anomaly: Anomaly;
  readonly cycle: number;
}

/**
 * One cycle of detection over a snapshot: sanity guard, then absolute,
 * relative and drift rules for every service with a sample; what could not
 * be measured (the samples' missing markers, absent services) is data quality. At most one
 * anomaly per fingerprint (service + symptom) per cycle, the most severe.
 * A locked service (deliberate load) yields informational anomalies only.
 * Keeps per-service state (previous sample, learned baselines) in memory.
 */
export class DetectionEngine {
  private readonly state = new Map<string, ServiceState>();
  private readonly thresholds: ThresholdsResolver;
  /** Service → its last own (non-informational) anomaly and the cycle it was seen in. */
  private readonly trouble = new Map<string, RememberedTrouble>();
  /** Callers' first symptoms waiting a cycle for their dependency's own reading. */
  private readonly callerHold: CallerHold;
  private cycle = 0;

  constructor(
    private readonly alerting: AlertingConfig,
    private readonly detection: DetectionConfig,
    private readonly driftFactory: DriftFactory | null,
    /** The dependency graph (`services.watched[*].depends_on`); none: no inhibition. */
    private readonly dependsOn: (service: string) => readonly string[] = () => [],
  ) {
    this.thresholds = new ThresholdsResolver(alerting);
    // Only a dependency whose metrics the engine has seen can ever take the blame (flagd, valkey
    // or kafka are not measured): a service calling none of those is never held.
    this.callerHold = new CallerHold(
      detection.culprit.hold_cycles,
      (service) => dependsOn(service).some((dependency) => this.state.has(dependency)),
      propagates,
    );
  }

  /**
   * Drops every drift detector: the next cycle asks the factory again (a new leader's factory
   * starts them from the snapshots the previous leader saved).
   */
  forgetDrift(): void {
    for (const state of this.state.values()) state.drift.clear();
  }

  /**
   * What every service's relative reference and usual level hold now, for a takeover
   * (DriftPersistence saves it); services with nothing learned yet are left out.
   */
  usualLevels(): UsualLevels[] {
    const out: UsualLevels[] = [];
    for (const [service, state] of this.state) {
      if (state.recent.length + state.usualLatency.length + state.usualErrors.length === 0)
        continue;
      out.push({
        service,
        recent: state.recent.map((window) => ({ ...window })),
        usual_latency_ms: [...state.usualLatency],
        usual_error_ratio: [...state.usualErrors],
      });
    }
    return out;
  }

  /**
   * Starts every service's relative reference and usual level from what the last leader saved,
   * in place of what this process remembers from an earlier term (older than the snapshots, or
   * gone with them when they were too old). Each list keeps its newest values within today's
   * `relative.reference_cycles` and `culprit.baseline_windows`: the config may have changed.
   * Drift detectors are left alone (forgetDrift); the last cycle's own readings (the trouble
   * memory, a dependency's last measured window, callers' symptoms held for their dependencies'
   * reading) are cycle-relative and start empty.
   */
  adoptUsualLevels(levels: readonly UsualLevels[]): void {
    const recentKeep = this.detection.relative.reference_cycles;
    const usualKeep = this.detection.culprit.baseline_windows;
    for (const state of this.state.values()) {
      state.recent = [];
      state.usualLatency = [];
      state.usualErrors = [];
      state.lastMeasured = null;
    }
    this.trouble.clear();
    // A caller symptom held in an earlier term is a reading from then: released now it would
    // open an incident on minutes-old evidence.
    this.callerHold.clear();
    for (const saved of levels) {
      const state = this.stateOf(saved.service);
      state.recent = newest(saved.recent, recentKeep).map((window) => ({
        error_rate_ratio: window.error_rate_ratio,
        latency_p99_ms: window.latency_p99_ms,
      }));
      state.usualLatency = newest(saved.usual_latency_ms, usualKeep);
      state.usualErrors = newest(saved.usual_error_ratio, usualKeep);
    }
  }

  /**
   * @param locked services held for deliberate work (a load test): their anomalies are informational.
   * @param restarting services the crew is restarting or just restarted (its restart lease, and
   *   `culprit.settle_s` after): their callers' symptoms belong to their incident.
   * @param open services with an incident the crew is still working: their callers' symptoms
   *   join it (a quiet culprit is not measured every cycle).
   */
  evaluate(
    snapshot: MetricsSnapshot,
    locked: ReadonlySet<string>,
    restarting: ReadonlySet<string> = new Set(),
    open: ReadonlyMap<string, OpenTrouble> = new Map(),
  ): DetectionResult {
    const anomalies: Anomaly[] = [];
    const dataQuality: DataQualityWarning[] = [];
    const checked: string[] = [];
    const atMs = Date.parse(snapshot.at);
    this.cycle++;
    for (const state of this.state.values()) state.current = null;
    for (const raw of snapshot.samples) {
      checked.push(raw.service);
      const { sample, warnings } = sanitise(raw, this.detection.sanity);
      // A metric the source could not measure is null here (never 0): no rule, no baseline.
      dataQuality.push(...warnings, ...unmeasuredWarnings(raw));
      const found = this.evaluateService(sample, Number.isFinite(atMs) ? atMs : Date.now());
      const merged = mergeByFingerprint(found);
      anomalies.push(...(locked.has(sample.service) ? merged.map(informational) : merged));
    }
    for (const missing of snapshot.missing) {
      const warning = absentServiceWarning(missing);
      if (warning !== null) dataQuality.push(warning);
    }
    for (const anomaly of anomalies) {
      if (!anomaly.informational) this.trouble.set(anomaly.service, { anomaly, cycle: this.cycle });
    }
    for (const [service, entry] of this.trouble) {
      if (this.cycle - entry.cycle >= TROUBLE_MEMORY_CYCLES) this.trouble.delete(service);
    }
    const finder = new CulpritFinder(this.dependsOn, (service) =>
      this.troubleOf(service, restarting, open),
    );
    const attributed = attributeToDependencies(anomalies, finder, locked, snapshot.at);
    const reported = this.callerHold.pass(anomalies, attributed, snapshot.at, (held, at) =>
      attributeToDependencies(held, finder, locked, at),
    );
    // Only now does this cycle's window join the usual level: blaming compares against the past.
    for (const state of this.state.values()) this.rememberUsual(state);
    return { anomalies: reported, dataQuality, checked };
  }

  /** Why a service is in trouble this cycle, if it is: the crew restarting it, its own anomaly, or far above its usual level. */
  private troubleOf(
    service: string,
    restarting: ReadonlySet<string>,
    open: ReadonlyMap<string, OpenTrouble>,
  ): Trouble | undefined {
    if (restarting.has(service))
      return {
        kind: 'restarting',
        symptom: 'dependency_failure',
        severity: 'info',
        why: 'the crew is restarting it (its callers fail until it is back)',
      };
    const own = this.trouble.get(service)?.anomaly;
    if (own)
      return {
        kind: 'anomaly',
        symptom: own.symptom,
        severity: own.severity,
        metric: own.metric,
        value: own.value,
        ...(own.threshold !== undefined ? { baseline: own.threshold } : {}),
        why: `it has its own ${own.symptom} (${own.detail})`,
      };
    const incident = open.get(service);
    const elevated = this.elevation(service);
    if (incident)
      return {
        kind: 'incident',
        symptom: toSymptom(incident.symptom),
        severity: incident.severity,
        ...(elevated?.metric !== undefined ? { metric: elevated.metric } : {}),
        ...(elevated?.value !== undefined ? { value: elevated.value } : {}),
        ...(elevated?.baseline !== undefined ? { baseline: elevated.baseline } : {}),
        why: `its incident ${incident.incident_id} (${incident.symptom}) is still being worked${elevated ? `; ${elevated.why}` : ''}`,
      };
    return elevated;
  }

  /**
   * A service far above its usual level before any rule fires: p99 or error rate at least
   * `culprit.elevated_factor` × the median of its last measured windows, and at a level a caller
   * feels. How a latency creep shows before its own thresholds: its callers time out first.
   */
  private elevation(service: string): Trouble | undefined {
    const state = this.state.get(service);
    const last = state?.lastMeasured;
    if (!state || !last || this.cycle - last.cycle >= TROUBLE_MEMORY_CYCLES) return undefined;
    const sample = last.sample;
    const rule = this.detection.culprit;
    const candidates: Trouble[] = [];
    const check = (
      metric: 'latency_p99_ms' | 'error_rate_ratio',
      value: number | null,
      history: readonly number[],
      floor: number,
    ): void => {
      // Five windows at least: a usual level needs a history, not one lucky reading.
      if (value === null || history.length < 5) return;
      const usual = medianOf(history);
      if (usual === null || value < floor || value < rule.elevated_factor * usual) return;
      candidates.push({
        kind: 'elevated',
        symptom: metric === 'latency_p99_ms' ? 'high_latency' : 'high_error_rate',
        severity: classifySeverity(this.alerting.severity, metric, value),
        metric,
        value,
        baseline: usual,
        ratio: usual > 0 ? value / usual : Number.POSITIVE_INFINITY,
        why: elevationWhy(metric, value, usual),
      });
    };
    check('latency_p99_ms', sample.latency_p99_ms, state.usualLatency, rule.min_latency_p99_ms);
    check(
      'error_rate_ratio',
      sample.error_rate_ratio,
      state.usualErrors,
      rule.min_error_rate_ratio,
    );
    return candidates.sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0))[0];
  }

  private rememberUsual(state: ServiceState): void {
    const sample = state.current;
    if (!sample || !state.measured) return;
    const keep = this.detection.culprit.baseline_windows;
    if (sample.latency_p99_ms !== null)
      pushBounded(state.usualLatency, sample.latency_p99_ms, keep);
    if (sample.error_rate_ratio !== null)
      pushBounded(state.usualErrors, sample.error_rate_ratio, keep);
  }

  private evaluateService(sample: ServiceSample, atMs: number): Anomaly[] {
    const state = this.stateOf(sample.service);
    const thresholds = this.thresholds.for(sample.service);
    const bands = this.alerting.severity;
    const found: Anomaly[] = [];
    if (this.detection.absolute.enabled)
      found.push(
        ...absoluteAnomalies(sample, thresholds, bands, this.detection.absolute.min_window_errors),
      );
    found.push(...relativeAnomalies(sample, this.reference(state), this.detection.relative, bands));

    if (this.detection.drift.enabled && this.driftFactory) {
      // A ratio or a p99 over a trickle of requests is noise (a p99 over fewer than
      // min_window_requests is little more than their maximum): it must neither alert nor become
      // the baseline. The same floor as the relative rule's; without it a quiet service's p99
      // flapped with every few requests and drifted "up" while another service was at fault.
      const measurable =
        sample.request_rate_rps >= thresholds.min_request_rate_rps &&
        sample.request_rate_rps * sample.window_s >= this.detection.relative.min_window_requests;
      for (const { metric, symptom } of DRIFT_METRICS) {
        const value = sample[metric];
        if (value === null || !measurable) continue;
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
    state.current = sample;
    // For blame any window with requests counts: a dependency called a few times a second (shipping
    // by checkout) is exactly the one whose slowness its callers feel first. The relative rule's
    // traffic floor is for verdicts on the service itself, not for its usual level.
    state.measured = sample.request_rate_rps > 0;
    if (state.measured) state.lastMeasured = { sample, cycle: this.cycle };
    if (sample.request_rate_rps * sample.window_s >= relative.min_window_requests) {
      state.recent.push({
        error_rate_ratio: sample.error_rate_ratio,
        latency_p99_ms: sample.latency_p99_ms,
      });
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
      state = {
        recent: [],
        drift: new Map(),
        usualLatency: [],
        usualErrors: [],
        current: null,
        measured: false,
        lastMeasured: null,
      };
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

/** The last `max` values (newest last), copied. */
function newest<T>(values: readonly T[], max: number): T[] {
  return values.slice(Math.max(0, values.length - max));
}

function pushBounded(values: number[], value: number, max: number): void {
  values.push(value);
  if (values.length > max) values.splice(0, values.length - max);
}

/** A recorded symptom name as the detection vocabulary; anything unknown reads as a dependency failure. */
function toSymptom(symptom: string): Symptom {
  return (SYMPTOMS as readonly string[]).includes(symptom)
    ? (symptom as Symptom)
    : 'dependency_failure';
}

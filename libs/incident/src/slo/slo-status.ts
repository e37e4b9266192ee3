import {
  budget,
  coverage,
  type EventCounts,
  judgeWindow,
  multiwindowFires,
  type WindowVerdict,
} from './slo-math';
import { type LedgerLayout, type SloLedger, windowCounts } from './slo-ledger';
import {
  type BurnAlertName,
  type BurnAlertPolicy,
  type BurnSeverity,
  type ServiceSlo,
  type SloKind,
  type SloObjective,
} from './slo-policy';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface AlertWindowState extends WindowVerdict {
  readonly window: string;
  readonly window_ms: number;
}

export interface BurnAlertState {
  readonly name: BurnAlertName;
  readonly threshold: number;
  readonly severity: BurnSeverity;
  readonly long: AlertWindowState;
  readonly short: AlertWindowState;
  readonly firing: boolean;
}

export interface ObjectiveStatus {
  readonly kind: SloKind;
  /** Share of good events promised (requests; for latency, time slices). */
  readonly target: number;
  readonly window_days: number;
  readonly latency_p99_ms?: number;
  /** good / total over the SLO window so far; null without events. */
  readonly sli: number | null;
  /** Requests (availability) or slice seconds (latency) seen in the window. */
  readonly events: { readonly good: number; readonly total: number };
  readonly budget: {
    /** The budget's share of events: 1 − target. */
    readonly total_ratio: number;
    readonly consumed_ratio: number;
    /** 1 − consumed; negative when overspent. */
    readonly remaining_ratio: number;
  };
  /** How much of the SLO window was observed (a young ledger has seen only part of it). */
  readonly coverage_ratio: number;
  /** Burn rate per alert window ("5m", "1h"…) and over the whole SLO window ("30d"). */
  readonly burn_rates: Readonly<Record<string, number | null>>;
  readonly alerts: readonly BurnAlertState[];
  /** The most urgent firing alert (fast before slow), null when none fires. */
  readonly alerting: BurnAlertName | null;
}

export interface ServiceSloStatus {
  readonly service: string;
  readonly window_days: number;
  readonly last_sample_at: string | null;
  readonly objectives: {
    readonly availability: ObjectiveStatus;
    readonly latency: ObjectiveStatus;
  };
}

/** The state of one service's objectives at `nowMs`, from its ledger (null: nothing seen yet). */
export function serviceSloStatus(
  slo: ServiceSlo,
  ledger: SloLedger | null,
  layout: LedgerLayout,
  alerts: readonly BurnAlertPolicy[],
  nowMs: number,
): ServiceSloStatus {
  const objective = (spec: SloObjective): ObjectiveStatus =>
    objectiveStatus(spec, ledger, layout, alerts, nowMs);
  return {
    service: slo.service,
    window_days: slo.window_days,
    last_sample_at:
      ledger?.last_at_ms === null || ledger === null
        ? null
        : new Date(ledger.last_at_ms).toISOString(),
    objectives: { availability: objective(slo.availability), latency: objective(slo.latency) },
  };
}

function objectiveStatus(
  spec: SloObjective,
  ledger: SloLedger | null,
  layout: LedgerLayout,
  alerts: readonly BurnAlertPolicy[],
  nowMs: number,
): ObjectiveStatus {
  const count = (windowMs: number): EventCounts =>
    ledger === null
      ? { good: 0, total: 0, observed_ms: 0 }
      : windowCounts(ledger, spec.kind, windowMs, nowMs, layout);
  const sloWindowMs = spec.window_days * DAY_MS;
  const whole = count(sloWindowMs);
  const spent = budget(whole, spec.target);
  const burnRates: Record<string, number | null> = {};
  const states = alerts.map((policy): BurnAlertState => {
    const side = (windowMs: number): AlertWindowState => {
      const verdict = judgeWindow(
        count(windowMs),
        windowMs,
        spec.target,
        policy.burn_rate,
        policy.min_coverage_ratio,
      );
      burnRates[windowLabel(windowMs)] = verdict.burn_rate;
      return { window: windowLabel(windowMs), window_ms: windowMs, ...verdict };
    };
    const long = side(policy.long_window_ms);
    const short = side(policy.short_window_ms);
    return {
      name: policy.name,
      threshold: policy.burn_rate,
      severity: policy.severity,
      long,
      short,
      firing: multiwindowFires(long, short),
    };
  });
  burnRates[windowLabel(sloWindowMs)] = spent.sli === null ? null : spent.consumed_ratio; // over the whole window, burn = consumed
  const firing = states.filter((state) => state.firing);
  const alerting = firing.find((state) => state.name === 'fast')?.name ?? firing[0]?.name ?? null;
  return {
    kind: spec.kind,
    target: spec.target,
    window_days: spec.window_days,
    ...(spec.latency_p99_ms === undefined ? {} : { latency_p99_ms: spec.latency_p99_ms }),
    sli: spent.sli,
    events: { good: whole.good, total: whole.total },
    budget: {
      total_ratio: 1 - spec.target,
      consumed_ratio: spent.consumed_ratio,
      remaining_ratio: spent.remaining_ratio,
    },
    coverage_ratio: coverage(whole, sloWindowMs),
    burn_rates: burnRates,
    alerts: states,
    alerting,
  };
}

/** "5m", "1h", "6h", "30d": how windows are named in answers and reports. */
export function windowLabel(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${Math.round(minutes * 100) / 100}m`;
}

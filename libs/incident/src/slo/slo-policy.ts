/**
 * What the SLOs of the crew are, as the pure SLO code reads them: per service an availability
 * objective (a share of good requests) and a latency objective (a share of good time slices),
 * each over a rolling window, and the crew-wide burn-rate alert policy.
 *
 * Takes the narrow shape below, which libs/config's SloConfig satisfies as it is: the domain
 * reads objectives, it does not load them.
 */

export type SloKind = 'availability' | 'latency';
export const SLO_KINDS: readonly SloKind[] = ['availability', 'latency'];

export type BurnAlertName = 'fast' | 'slow';
export const BURN_ALERT_NAMES: readonly BurnAlertName[] = ['fast', 'slow'];

/** The alert severities this module hands on (the bus vocabulary's, named structurally). */
export type BurnSeverity = 'critical' | 'high' | 'medium' | 'low';

/** One multi-window burn-rate alert: fires iff both windows burn faster than `burn_rate`. */
export interface BurnAlertPolicy {
  readonly name: BurnAlertName;
  /** Multiple of the sustainable rate (1 = the budget lasts exactly the SLO window). */
  readonly burn_rate: number;
  readonly long_window_ms: number;
  readonly short_window_ms: number;
  readonly severity: BurnSeverity;
  /**
   * Share of each window that must have been observed before it may fire: a "6 h" window
   * holding 5 minutes of data is a 5-minute window, and would page on a blip.
   */
  readonly min_coverage_ratio: number;
}

export interface SloObjective {
  readonly kind: SloKind;
  /** Share of good events (requests, or time slices for latency) the objective promises. */
  readonly target: number;
  readonly window_days: number;
  /** Latency objectives: a slice is good when its p99 is at most this. */
  readonly latency_p99_ms?: number;
}

export interface ServiceSlo {
  readonly service: string;
  readonly availability: SloObjective;
  readonly latency: SloObjective;
  readonly window_days: number;
}

export interface SloSettings {
  readonly services: ReadonlyMap<string, ServiceSlo>;
  readonly alerts: readonly BurnAlertPolicy[];
  /** At most one KV write per service this often. */
  readonly persist_interval_ms: number;
}

const MINUTE_MS = 60_000;

/**
 * The Google SRE workbook's recommendation (chapter 5, "Alerting on SLOs", table 5-8) for a
 * 30-day window: 2 % of the budget in one hour pages (14.4×, 1 h and 5 min), 5 % in six hours
 * tickets (6×, 6 h and 30 min). The short window (1/12 of the long) makes the alert clear soon
 * after the burn stops.
 */
export const DEFAULT_BURN_ALERTS: readonly BurnAlertPolicy[] = [
  {
    name: 'fast',
    burn_rate: 14.4,
    long_window_ms: 60 * MINUTE_MS,
    short_window_ms: 5 * MINUTE_MS,
    severity: 'high',
    min_coverage_ratio: 0.5,
  },
  {
    name: 'slow',
    burn_rate: 6,
    long_window_ms: 6 * 60 * MINUTE_MS,
    short_window_ms: 30 * MINUTE_MS,
    severity: 'medium',
    min_coverage_ratio: 0.5,
  },
];

export const DEFAULT_PERSIST_INTERVAL_MS = 60_000;

/** The config's shape (libs/config SloConfig), narrowed to what is read here. */
export interface SloConfigShape {
  readonly objectives: ReadonlyMap<
    string,
    {
      readonly availability_ratio: number;
      readonly latency_p99_ms: number;
      readonly window_days: number;
      readonly latency_target_ratio?: number;
    }
  >;
  readonly burn_alerts?: {
    readonly fast?: BurnAlertConfigShape;
    readonly slow?: BurnAlertConfigShape;
  };
  readonly persist_interval_s?: number;
}

export interface BurnAlertConfigShape {
  readonly burn_rate: number;
  readonly long_window_minutes: number;
  readonly short_window_minutes: number;
  readonly severity: BurnSeverity;
  readonly min_coverage_ratio?: number;
}

/** The settings in force: the configured objectives, each alert from config or the workbook. */
export function resolveSloSettings(config: SloConfigShape): SloSettings {
  const services = new Map<string, ServiceSlo>();
  for (const [service, objective] of config.objectives) {
    services.set(service, {
      service,
      window_days: objective.window_days,
      availability: {
        kind: 'availability',
        target: objective.availability_ratio,
        window_days: objective.window_days,
      },
      latency: {
        kind: 'latency',
        // Unless told otherwise, as many good minutes as good requests are promised.
        target: objective.latency_target_ratio ?? objective.availability_ratio,
        window_days: objective.window_days,
        latency_p99_ms: objective.latency_p99_ms,
      },
    });
  }
  const alerts = DEFAULT_BURN_ALERTS.map((fallback) => {
    const configured = config.burn_alerts?.[fallback.name];
    if (!configured) return fallback;
    return {
      name: fallback.name,
      burn_rate: configured.burn_rate,
      long_window_ms: configured.long_window_minutes * MINUTE_MS,
      short_window_ms: configured.short_window_minutes * MINUTE_MS,
      severity: configured.severity,
      min_coverage_ratio: configured.min_coverage_ratio ?? fallback.min_coverage_ratio,
    };
  });
  return {
    services,
    alerts,
    persist_interval_ms:
      config.persist_interval_s === undefined
        ? DEFAULT_PERSIST_INTERVAL_MS
        : config.persist_interval_s * 1000,
  };
}

/** The longest alert window: the fine buckets must reach back at least this far. */
export function longestAlertWindowMs(alerts: readonly BurnAlertPolicy[]): number {
  return Math.max(0, ...alerts.map((alert) => alert.long_window_ms));
}

import { Inject, Injectable, Optional } from '@nestjs/common';
import { type CapacityConfig, LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { type CapacityHistoryRecord } from '@opscrew/contracts';
import {
  type CapacityForecast,
  CAPACITY_METRICS,
  type CapacityMetric,
  forecastMetric,
  type ForecastOptions,
  isCapacityMetric,
} from '@opscrew/forecast';
import { type TypedKv } from '@opscrew/messaging';

/** The `capacity` bucket as the forecaster reads it. */
export const CAPACITY_HISTORY_KV = Symbol('CAPACITY_HISTORY_KV');
/** `() => number` (epoch ms); absent, the system clock. */
export const CAPACITY_FORECAST_CLOCK = Symbol('CAPACITY_FORECAST_CLOCK');

/**
 * What the weekly report asks for its "Capacity" section: lines for findings within the horizon
 * and one for the services with too little data. An interface of its own so a report needs
 * nothing else of the forecaster (and a test gives it two lines).
 */
export interface CapacityForecastSummary {
  summaryLines(): Promise<string[]>;
}
export const CAPACITY_FORECAST_SUMMARY = Symbol('CAPACITY_FORECAST_SUMMARY');

export interface ServiceCapacityForecast {
  readonly service: string;
  readonly metrics: readonly CapacityForecast[];
}

/** `GET /forecast`'s answer. */
export interface CapacityReport {
  readonly generated_at: string;
  readonly horizon_days: number;
  readonly interval_ratio: number;
  readonly services: readonly ServiceCapacityForecast[];
  /** The findings within the horizon, soonest first, as sentences. */
  readonly findings: readonly string[];
  /** Services with at least one metric lacking data. */
  readonly insufficient_data: readonly string[];
}

/**
 * Forecasts every service's capacity history (the `capacity` bucket ops-monitor keeps) with
 * @opscrew/forecast: atlas serves it on `GET /forecast`, demo-controller's weekly report quotes
 * its findings. Reads the bucket on every call: a few dozen keys of ≤ 45 KiB, asked for by a
 * human or once a week.
 */
@Injectable()
export class CapacityForecaster implements CapacityForecastSummary {
  private readonly settings: CapacityConfig;

  constructor(
    @Inject(CAPACITY_HISTORY_KV) private readonly kv: TypedKv<CapacityHistoryRecord>,
    @Inject(LOADED_CONFIG) loaded: LoadedConfig,
    @Optional() @Inject(CAPACITY_FORECAST_CLOCK) private readonly clock: () => number = Date.now,
  ) {
    this.settings = loaded.config.thresholds.capacity;
  }

  /** Every service's forecasts (or only `service`'s), by service name then metric. */
  async report(service?: string): Promise<CapacityReport> {
    const nowMs = this.clock();
    const byService = new Map<string, CapacityForecast[]>();
    for (const { value } of await this.kv.values()) {
      if (service !== undefined && value.service !== service) continue;
      if (!isCapacityMetric(value.metric)) continue;
      const history = value.points.map(([start_s, mean, max, count]) => ({
        start_s,
        mean,
        max,
        count,
      }));
      const forecast = forecastMetric(
        value.service,
        value.metric,
        history,
        this.options(value.service, value.metric, value.bucket_s, nowMs),
      );
      byService.set(value.service, [...(byService.get(value.service) ?? []), forecast]);
    }
    const order = (m: CapacityMetric): number => CAPACITY_METRICS.indexOf(m);
    const services = [...byService.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, metrics]) => ({
        service: name,
        metrics: [...metrics].sort((a, b) => order(a.metric) - order(b.metric)),
      }));
    const all = services.flatMap((s) => s.metrics);
    const findings = all
      .filter((f) => f.verdict === 'crossing' || f.verdict === 'above_threshold')
      .sort((a, b) => soonest(a) - soonest(b))
      .map((f) => f.sentence);
    return {
      generated_at: new Date(nowMs).toISOString(),
      horizon_days: this.settings.horizon_days,
      interval_ratio: this.settings.interval_ratio,
      services,
      findings,
      insufficient_data: services
        .filter((s) => s.metrics.some((m) => m.verdict === 'insufficient_data'))
        .map((s) => s.service),
    };
  }

  async summaryLines(): Promise<string[]> {
    const report = await this.report();
    const lines = report.findings.map((sentence) => `- ${sentence}`);
    if (report.services.length === 0) {
      return ['No capacity history yet (ops-monitor records it from its cycles).'];
    }
    if (lines.length === 0) {
      lines.push(
        `No service reaches a threshold within ${report.horizon_days} days at the current trend.`,
      );
    }
    if (report.insufficient_data.length > 0) {
      lines.push(
        `${report.insufficient_data.length} service(s) with too little history to forecast: ` +
          `${report.insufficient_data.join(', ')}.`,
      );
    }
    return lines;
  }

  private options(
    service: string,
    metric: CapacityMetric,
    bucketS: number,
    nowMs: number,
  ): ForecastOptions {
    const s = this.settings;
    const threshold =
      metric === 'cpu_usage_percent'
        ? s.cpu_threshold_percent
        : metric === 'memory_usage_percent'
          ? s.memory_threshold_percent
          : (s.services.get(service)?.request_rate_rps ?? null);
    return {
      bucket_s: bucketS,
      min_points: s.min_points,
      min_span_hours: s.min_span_hours,
      horizon_days: s.horizon_days,
      interval_ratio: s.interval_ratio,
      trend_window_days: s.trend_window_days,
      threshold,
      now_s: Math.floor(nowMs / 1000),
    };
  }
}

/** Days until a finding (0 for a level already above its threshold). */
function soonest(forecast: CapacityForecast): number {
  return forecast.verdict === 'crossing' ? (forecast.crossing?.in_days ?? 0) : 0;
}

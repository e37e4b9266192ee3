import { type CheckLatencyTrendStep } from '@opscrew/config';
import { type LatencyTrend, type RemediationRunRecord, errorMessage } from '@opscrew/contracts';
import { done, type RunbookAction, type StepContext, type StepOutcome } from './runbook-action';

/** Readings without a value (first scrape, no traffic) before the trend is called unknown. */
const MAX_MISSES = 3;
/** A p99 rise under this is resolution, not a trend (a 10 % of 20 ms is 2 ms). */
const MIN_RISE_MS = 50;
/**
 * Traffic up by more than 30 % between the readings may explain a rise (more load, more
 * queueing). Less does not: at the low rates a slow service serves, a swing of 30 % is counting
 * noise (1.0 → 1.3 rps), and a closed-loop load even falls as latency rises.
 */
const LOAD_GROWTH_RATIO = 0.3;

/**
 * `check_latency_trend`: two readings of the service's own p99, `interval_s` apart (the run
 * waits between them, persisted: a resolver restart loses nothing). Rising by `min_rise_ratio`
 * at a steady request rate is saturation — time, a lock held longer each minute, a table that
 * grows without an index — which a restart resets: it sets `resource_pressure`, so a later
 * `restart_service` with `if_resource_pressure` acts; so does a p99 held above its threshold at a
 * steady load (a creep at its ceiling). Rising with the load is the load's doing, not the
 * service's: no pressure.
 */
export class CheckLatencyTrendAction implements RunbookAction<CheckLatencyTrendStep> {
  async execute(context: StepContext, step: CheckLatencyTrendStep): Promise<StepOutcome> {
    const { deps, run } = context;
    const reading = await this.read(context);
    const probe = run.latency_probe;
    const now = deps.now();
    if (!probe || probe.p99_ms === null) {
      const misses = (probe?.misses ?? 0) + (reading.p99_ms === null ? 1 : 0);
      if (reading.p99_ms === null && misses >= MAX_MISSES)
        return this.conclude(
          context,
          'unknown',
          `no p99 to read after ${misses} tries: ${reading.why}`,
        );
      await context.save({
        ...run,
        latency_probe: { at: now.toISOString(), ...reading.values, misses },
      });
      return {
        kind: 'wait',
        at: new Date(now.getTime() + step.interval_s * 1000).toISOString(),
        detail: `reading p99 again in ${step.interval_s} s`,
      };
    }
    if (reading.p99_ms === null) {
      // Above its threshold, then not one request finished in the window: the creep outgrew
      // the window (every request now waits longer than it), not a quiet service.
      const threshold = latencyThreshold(context);
      if (probe.p99_ms >= threshold && reading.values.request_rate_rps !== null)
        return this.conclude(
          context,
          'rising',
          `p99 ${Math.round(probe.p99_ms)} ms, above its ${threshold} ms threshold, then no request finished in the window: saturated, resource pressure (a restart resets it)`,
          true,
        );
      return this.conclude(context, 'unknown', `second reading missing: ${reading.why}`);
    }
    const before = probe.p99_ms;
    const after = reading.p99_ms;
    const seconds = Math.round((now.getTime() - Date.parse(probe.at)) / 1000);
    const change = `p99 ${Math.round(before)} → ${Math.round(after)} ms in ${seconds} s`;
    const steady = !loadExplains(
      probe.request_rate_rps,
      reading.values.request_rate_rps,
      before > 0 ? after / before : 1,
    );
    if (after >= before * (1 + step.min_rise_ratio) && after - before >= MIN_RISE_MS) {
      return steady
        ? this.conclude(
            context,
            'rising',
            `${change} without more load: saturation, resource pressure (a restart resets it)`,
            true,
          )
        : this.conclude(
            context,
            'rising',
            `${change}, but the load grew as much: not the service's own`,
          );
    }
    if (after <= before * (1 - step.min_rise_ratio))
      return this.conclude(context, 'falling', `${change}: recovering`);
    // A creep that has reached its ceiling (a caller's timeout, the histogram's last bucket, a
    // pool's wait limit) reads steady: both readings pinned above the threshold. Caught late —
    // a loaded host, a slow runbook start — it is still the service's own slowness when the load
    // did not bring it: saturated, and a restart resets it like a rising one.
    const threshold = latencyThreshold(context);
    if (steady && Math.min(before, after) >= threshold)
      return this.conclude(
        context,
        'steady',
        `${change}, held above its ${threshold} ms threshold without more load: saturated, resource pressure (a restart resets it)`,
        true,
      );
    return this.conclude(context, 'steady', `${change}: steady`);
  }

  private async conclude(
    context: StepContext,
    trend: LatencyTrend,
    detail: string,
    pressure = false,
  ): Promise<StepOutcome> {
    const next: RemediationRunRecord = {
      ...context.run,
      latency_trend: trend,
      latency_probe: undefined,
      ...(pressure ? { resource_pressure: true } : {}),
    };
    await context.save(next);
    return done(trend === 'unknown' ? 'failed' : 'ok', `latency ${trend}: ${detail}`);
  }

  private async read(context: StepContext): Promise<{
    p99_ms: number | null;
    values: { p99_ms: number | null; request_rate_rps: number | null };
    why: string;
  }> {
    const { deps, run } = context;
    try {
      const snapshot = await deps.metrics.collect([run.service]);
      const sample = snapshot.samples.find((entry) => entry.service === run.service);
      const missing = snapshot.missing.find((entry) => entry.service === run.service);
      const p99 = sample?.latency_p99_ms ?? null;
      return {
        p99_ms: p99,
        values: { p99_ms: p99, request_rate_rps: sample?.request_rate_rps ?? null },
        why: sample ? 'no traffic in the window' : (missing?.reason ?? 'not reported'),
      };
    } catch (error) {
      return {
        p99_ms: null,
        values: { p99_ms: null, request_rate_rps: null },
        why: `metrics unavailable: ${errorMessage(error)}`,
      };
    }
  }
}

/** The service's p99 threshold (its override, else the default): where it is slow by definition. */
function latencyThreshold(context: StepContext): number {
  const alerting = context.deps.config.thresholds.alerting;
  return (
    alerting.services.get(context.run.service)?.latency_p99_ms ??
    alerting.defaults.latency_p99_ms ??
    Number.POSITIVE_INFINITY
  );
}

/**
 * Whether more load explains a p99 that moved by `latencyRatio`: the load grew by more than 30 %
 * and at least in proportion. A p99 that doubled while the rate went up a third (the CI run that
 * restarted nothing: 2485 → 4962 ms at 1.0 → 1.3 rps) is the service's own slowness; queueing
 * below saturation grows latency slower than the load, and `check_resources` runs first.
 */
function loadExplains(before: number | null, after: number | null, latencyRatio: number): boolean {
  if (before === null || after === null || before <= 0) return false;
  const loadRatio = after / before;
  return loadRatio > 1 + LOAD_GROWTH_RATIO && loadRatio >= latencyRatio;
}

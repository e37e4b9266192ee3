import { loadConfig } from '@opscrew/config';
import { type MetricsSnapshot, type ServiceSample } from '@opscrew/integrations';
import { join } from 'node:path';
import { DetectionEngine } from '../apps/ops-monitor/src/detection/detection.engine';
import { DriftDetector } from '../apps/ops-monitor/src/detection/drift';
import { emit, median, nowMs, round } from './bench-output';

/** Cycles before measuring: past the drift detector's learning period, as in steady state. */
const WARMUP_CYCLES = 110;
const MEASURED_CYCLES = 7;

/**
 * Detection cost per cycle for N synthetic services × 3 metrics (request
 * rate, error rate, p99), with the shipped rules and drift detector. Target:
 * linear, 10,000 services < 250 ms on one core.
 */
export function benchDetectionCost(
  repoRoot: string,
  sizes: readonly number[] = [100, 1_000, 10_000],
): void {
  const { thresholds } = loadConfig({ configDir: join(repoRoot, 'config'), env: {} }).config;
  for (const services of sizes) {
    const heapBefore = process.memoryUsage().heapUsed;
    const engine = new DetectionEngine(
      thresholds.alerting,
      thresholds.detection,
      () => new DriftDetector(thresholds.detection.drift),
    );
    const names = Array.from({ length: services }, (_, i) => `svc-${i}`);
    let seed = 42;
    // A cheap deterministic noise source: the bench must be repeatable.
    const noise = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const snapshot = (cycle: number): MetricsSnapshot => ({
      at: new Date(Date.UTC(2026, 10, 24) + cycle * 15_000).toISOString(),
      missing: [],
      samples: names.map((service): ServiceSample => ({
        service,
        at: '',
        window_s: 15,
        request_rate_rps: 40 + noise() * 10,
        error_rate_ratio: 0.002 + noise() * 0.002,
        latency_p99_ms: 120 + noise() * 40,
      })),
    });
    for (let cycle = 0; cycle < WARMUP_CYCLES; cycle++) engine.evaluate(snapshot(cycle), new Set());
    const timings: number[] = [];
    let anomalies = 0;
    for (let cycle = WARMUP_CYCLES; cycle < WARMUP_CYCLES + MEASURED_CYCLES; cycle++) {
      const input = snapshot(cycle);
      const started = nowMs();
      anomalies += engine.evaluate(input, new Set()).anomalies.length;
      timings.push(nowMs() - started);
    }
    const ms = median(timings);
    emit({
      bench: 'detection_cost',
      services,
      metrics_per_service: 3,
      ms_per_cycle: round(ms),
      us_per_service: round((ms * 1000) / services),
      target_ms_for_10000: 250,
      heap_mb: round((process.memoryUsage().heapUsed - heapBefore) / 1_048_576, 1),
      anomalies_on_healthy_noise: anomalies,
      // Judged at 10,000 services (the target's size), scaled linearly from smaller runs.
      ok: (ms * 10_000) / services <= 250,
    });
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IncidentRecord } from '@opscrew/contracts';
import { parsePrometheusText } from '@opscrew/integrations';
import { DemoEnvironment } from '../apps/cli/src/demo/demo-environment';
import { poll } from '../apps/cli/src/demo/demo-observer';
import { freeDemoPorts } from '../apps/cli/src/demo/demo-port.plan';
import { emit, median, round } from './bench-output';

/** The restart-curable fault, at the demo story's compression. */
const SCENARIO = 'recommendation_memory_leak';
const SERVICE = 'recommendation';
const SCALE = 0.3;
/** How often the bench itself looks for the fault in the service's metrics. */
const WATCH_MS = 100;

interface LoopRun {
  run: number;
  shown_after_s: number;
  detection_latency_s: number;
  detection_latency_intervals: number;
  mttr_s: number;
  resolve_after_detection_s: number;
}

/**
 * The whole loop on the demo shop, `runs` times: a memory leak in
 * recommendation, detected, restarted, verified, resolved. Two figures per run:
 * detection latency from the moment the fault first shows in the service's own
 * metrics (its 5xx counter moves; the bench reads /metrics every 100 ms) to the
 * incident, in poll intervals (target ≤ 1 interval + 1 s), and end-to-end MTTR
 * from that moment to the ledger's `resolved`.
 *
 * Every run listens on ports the OS picked free just before it (never the
 * demo's defaults), so the bench runs beside `npm run demo`, `npm start`, the
 * compose stack or another bench.
 */
export async function benchDemoLoop(repoRoot: string, runs = 5): Promise<void> {
  const results: LoopRun[] = [];
  let intervalS = Number.NaN;
  for (let run = 1; run <= runs; run++) {
    // A fresh crew and shop per run: a second leak in the same service within the dedup
    // window would reopen the first incident and, rightly, be escalated as a recurrence.
    const runDir = mkdtempSync(join(tmpdir(), 'opscrew-bench-loop-'));
    const environment = await DemoEnvironment.start({
      repoRoot,
      bin: join(repoRoot, 'bin/opscrew.js'),
      runDir,
      say: () => undefined,
      builtinLoad: true,
      ports: await freeDemoPorts(),
    });
    try {
      intervalS =
        environment.config.agents.get('ops-monitor')?.monitor?.cycle_interval_s ?? Number.NaN;
      const metricsUrl = environment.config.integrations.metrics.scrape?.targets[SERVICE];
      if (!metricsUrl) throw new Error(`no scrape target for ${SERVICE}`);
      const result = await oneRun(environment, metricsUrl, intervalS, run);
      emit({ bench: 'loop', ...result, poll_interval_s: intervalS });
      results.push(result);
    } finally {
      await environment.dispose();
      rmSync(runDir, { recursive: true, force: true });
    }
  }
  const of = (pick: (run: LoopRun) => number) => results.map(pick);
  const summary = (metric: string, values: number[], extra: Record<string, unknown> = {}) =>
    emit({
      bench: 'loop',
      metric,
      runs: values.length,
      median: round(median(values)),
      max: round(Math.max(...values)),
      ...extra,
    });
  summary(
    'detection_latency_intervals',
    of((r) => r.detection_latency_intervals),
    {
      poll_interval_s: intervalS,
      target: `<= 1 interval + 1 s (${round(1 + 1 / intervalS)} intervals)`,
    },
  );
  summary(
    'detection_latency_s',
    of((r) => r.detection_latency_s),
  );
  summary(
    'mttr_s',
    of((r) => r.mttr_s),
    { fault: `${SCENARIO} (restart-curable)` },
  );
}

async function oneRun(
  environment: DemoEnvironment,
  metricsUrl: string,
  intervalS: number,
  run: number,
): Promise<LoopRun> {
  const started = Date.now();
  const since = new Date(started).toISOString();
  const baseline = await serverErrors(metricsUrl);
  await environment.scenarios.run(SCENARIO, SCALE);
  const shown = await poll(
    async () => ((await serverErrors(metricsUrl)) > baseline ? Date.now() : undefined),
    120_000,
    WATCH_MS,
  );
  if (shown === undefined) throw new Error(`run ${run}: the leak never showed in ${metricsUrl}`);
  const find = async (phase?: string): Promise<IncidentRecord | undefined> =>
    (await environment.observer.incidents()).find(
      (incident) =>
        incident.service === SERVICE &&
        !incident.informational &&
        incident.detected_at >= since &&
        (phase === undefined || incident.phase === phase),
    );
  const detected = await poll(() => find(), 60_000, 100);
  if (!detected) throw new Error(`run ${run}: no incident within 60 s of the fault showing`);
  const resolved = await poll(() => find('resolved'), 120_000, 200);
  const resolvedAt = resolved?.history.find((step) => step.phase === 'resolved')?.at;
  if (!resolvedAt) throw new Error(`run ${run}: ${detected.incident_id} not resolved in 120 s`);
  const detectionS = (Date.parse(detected.detected_at) - shown) / 1000;
  return {
    run,
    shown_after_s: round((shown - started) / 1000),
    detection_latency_s: round(detectionS),
    detection_latency_intervals: round(detectionS / intervalS),
    mttr_s: round((Date.parse(resolvedAt) - shown) / 1000),
    resolve_after_detection_s: round(
      (Date.parse(resolvedAt) - Date.parse(detected.detected_at)) / 1000,
    ),
  };
}

/**
 * 5xx responses the service has counted since it started. A restart resets
 * the counter, which only makes the next run's baseline lower.
 */
async function serverErrors(metricsUrl: string): Promise<number> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) return 0;
  return parsePrometheusText(await response.text())
    .samples.filter(
      (sample) =>
        sample.name === 'http_requests_total' && (sample.labels.status_code ?? '').startsWith('5'),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACCURACY_FEEDBACK_KEY,
  buildEvent,
  type EventPayloads,
  type EventSource,
  type EventSubject,
  scenarioRunKey,
  SCORECARD_KEY,
} from '@opscrew/contracts';
import { eventually } from '@opscrew/messaging/testing';
import { RecordingPublisher } from '@opscrew/testing';
import { ScenarioCatalog } from '../scenarios/scenario.catalog';
import { ScenarioRunner } from '../scenarios/scenario.runner';
import { ShopFaultClient } from '../scenarios/shop-fault.client';
import {
  FakeFlags,
  fakeLeases,
  fakeLearningBuckets,
  FakeLoadDriver,
  shippedConfig,
} from '../testing/fakes';
import { ManualScheduler } from '@opscrew/integrations/testing';
import { LearningService } from './learning.service';

const SHOP = [
  'frontend',
  'ad',
  'cart',
  'checkout',
  'currency',
  'payment',
  'product-catalog',
  'recommendation',
  'shipping',
];
const SETTLE_MS = 300_000;

function setup(options: { min_samples?: number } = {}) {
  const config = shippedConfig().config;
  const clock = new ManualScheduler();
  const dir = mkdtempSync(join(tmpdir(), 'opscrew-learning-'));
  const { buckets, kv } = fakeLearningBuckets();
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const learning = new LearningService(
    buckets,
    {
      settle_ms: SETTLE_MS,
      min_samples: options.min_samples ?? 10,
      adjustment_suggestion: true,
      suggestions_file: join(dir, 'learning', 'threshold-suggestions.json'),
      thresholds: { alerting: config.thresholds.alerting, detection: config.thresholds.detection },
      own_holder_prefix: 'demo-controller-test',
    },
    clock,
    logger,
  );
  const load = new FakeLoadDriver();
  const { leases } = fakeLeases(clock);
  const runner = new ScenarioRunner(
    new ScenarioCatalog(config),
    load,
    new FakeFlags(),
    new ShopFaultClient('t'),
    leases,
    new RecordingPublisher('demo-controller', clock),
    learning,
    'demo-controller-test',
    { lock: { lease_ms: 60_000, max_hold_ms: 1_800_000 }, alerting: config.thresholds.alerting },
    clock,
    logger,
  );
  /** An event as another agent would publish it, at a time relative to `t0`. */
  const event = <S extends EventSubject>(
    subject: S,
    payload: EventPayloads[S],
    atMs: number,
    source: EventSource = 'ops-monitor',
  ) => buildEvent(subject, payload, source, { at: new Date(atMs) });
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  return { config, clock, learning, buckets, kv, load, runner, event, dir, cleanup };
}

type Harness = ReturnType<typeof setup>;

let sequence = 0;
function detected(
  h: Harness,
  at: number,
  service: string,
  symptom: string,
  informational: boolean,
) {
  sequence += 1;
  const id = `INC-20250131-${String(sequence).padStart(3, '0')}`;
  return {
    id,
    event: h.event(
      'incident.detected',
      {
        incident_id: id,
        fingerprint: `${service}:${symptom}`,
        service,
        symptom,
        severity: 'high',
        value: 1,
        detected_at: new Date(at).toISOString(),
        ...(informational ? { informational: true } : {}),
      },
      at,
    ),
  };
}

describe('LearningService: the crew scored against ground truth', () => {
  it('stress: informational under the lock is right, a restart during the lock is counted, FPs and latency', async () => {
    const h = setup();
    const t0 = h.clock.now();
    // The users felt it: p99 4.2 s at the frontend (threshold 3 s), 20 % failures (threshold 1 %).
    h.load.stats_ = { ...h.load.stats_, p99_ms: 4_200, fail_ratio: 0.2, failures: 240 };
    const handle = await h.runner.start('stress');

    const latency = detected(h, t0 + 20_000, 'frontend', 'high_latency', true);
    const cartErrors = detected(h, t0 + 30_000, 'cart', 'high_error_rate', false);
    const drop = detected(h, t0 + 40_000, 'payment', 'traffic_drop', true);
    const cpu = detected(h, t0 + 50_000, 'currency', 'high_cpu', false);
    for (const { event } of [latency, cartErrors, drop, cpu])
      await h.learning.onIncidentEvent(event);
    // Redelivery changes nothing.
    await h.learning.onIncidentEvent(cpu.event);
    await h.learning.onRemediationEvent(
      h.event(
        'remediation.started',
        {
          incident_id: cartErrors.id,
          run_id: 'r-cart-1',
          service: 'cart',
          runbook: 'restart',
          mode: 'act',
        },
        t0 + 60_000,
        'jira-resolver',
      ),
    );
    await h.learning.onRemediationEvent(
      h.event(
        'remediation.finished',
        {
          incident_id: cartErrors.id,
          run_id: 'r-cart-1',
          service: 'cart',
          runbook: 'restart',
          mode: 'act',
          outcome: 'succeeded',
          steps: [
            { action: 'check_resources', result: 'ok' },
            { action: 'restart_service', result: 'ok' },
          ],
        },
        t0 + 90_000,
        'jira-resolver',
      ),
    );

    await h.clock.advance(180_000);
    await handle.done;
    // After the load: a traffic drop alert, not informational (the lock is gone).
    await h.learning.onIncidentEvent(
      detected(h, t0 + 200_000, 'frontend', 'traffic_drop', false).event,
    );
    await h.learning.onIncidentEvent(
      h.event(
        'incident.resolved',
        { incident_id: latency.id, resolved_by: 'ops-monitor' },
        t0 + 250_000,
      ),
    );
    // Outside every window: ignored.
    await h.learning.onIncidentEvent(
      detected(h, t0 + 180_000 + SETTLE_MS + 1, 'ad', 'high_latency', false).event,
    );

    await h.clock.advance(SETTLE_MS);
    const score = (await h.learning.scores())[0];
    expect(score).toMatchObject({
      scenario: 'stress',
      outcome: 'completed',
      true_positives: 3,
      informational_correct: 1,
      alerted_during_lock: 1,
      false_positives: 2,
      missed: 0,
      detection_latency_s: 20,
      resolution_time_s: 230,
      resolved: 1,
      restarts_during_lock: 1,
      unexpected_restarts: 1,
      false_positive_pairs: [
        { service: 'currency', symptom: 'high_cpu', count: 1 },
        { service: 'frontend', symptom: 'traffic_drop', count: 1 },
      ],
    });
    expect(score?.summary).toBe(
      'stress (completed): 3 right alert(s) (1 informational under a lock), 2 false positive(s) ' +
        '[currency/high_cpu, frontend/traffic_drop], 0 missed, detected after 20 s, resolved in 230 s on average, ' +
        '1 restart(s) during the lock, 1 restart(s) nobody should have done',
    );
    const card = await h.learning.scorecard();
    expect(card.aggregate).toMatchObject({
      runs: 1,
      true_positives: 3,
      false_positives: 2,
      restarts_during_lock: 1,
      accuracy_ratio: 0.6,
    });
    expect(card.open_runs).toEqual([]);
    expect((await h.buckets.accuracy.get(ACCURACY_FEEDBACK_KEY))?.value).toMatchObject({
      true_positives: 3,
      false_positives: 2,
      missed: 0,
      runs: 1,
    });
    const run = (await h.buckets.runs.get(scenarioRunKey(handle.run_id)))?.value;
    expect(run?.scored).toBe(true);
    expect(run?.required.map((r) => r.symptom)).toEqual(['high_latency', 'high_error_rate']);
    expect(run?.locks.filter((l) => l.own)).toHaveLength(SHOP.length);
    h.cleanup();
  });

  it('flag: a missed failure and an unexplained alert; a re-sighting of an older incident counts as detection', async () => {
    const h = setup();
    const t0 = h.clock.now();
    const first = await h.runner.start('flagd_cart_failure', { durationScale: 0.1 });
    await h.learning.onIncidentEvent(
      detected(h, t0 + 10_000, 'ad', 'high_error_rate', false).event,
    );
    // A frontend error is the cart failure showing through a caller: explained.
    await h.learning.onIncidentEvent(
      detected(h, t0 + 12_000, 'frontend', 'high_error_rate', false).event,
    );
    await h.clock.advance(30_000);
    await first.done;
    await h.clock.advance(SETTLE_MS);

    const t1 = h.clock.now();
    const second = await h.runner.start('flagd_cart_failure', { durationScale: 0.1 });
    // cart's incident was opened before this run; ops-monitor's dedup update re-sights it.
    await h.learning.onIncidentEvent(
      h.event(
        'incident.updated',
        {
          incident_id: 'INC-20250130-007',
          fingerprint: 'cart:high_error_rate',
          count: 4,
          severity: 'critical',
        },
        t1 + 15_000,
      ),
    );
    // jira-resolver's own phase updates are not detections.
    await h.learning.onIncidentEvent(
      h.event(
        'incident.updated',
        {
          incident_id: 'INC-20250130-008',
          fingerprint: 'payment:high_error_rate',
          phase: 'actioned',
        },
        t1 + 16_000,
        'jira-resolver',
      ),
    );
    await h.clock.advance(30_000);
    await second.done;
    await h.clock.advance(SETTLE_MS);

    const scores = (await h.learning.scores()).sort((a, b) =>
      a.started_at.localeCompare(b.started_at),
    );
    expect(
      scores.map((s) => [s.true_positives, s.false_positives, s.missed, s.detection_latency_s]),
    ).toEqual([
      [1, 1, 1, null],
      [0, 0, 0, 15],
    ]);
    expect(scores[0]?.missed_pairs).toEqual([
      { service: 'cart', symptom: 'high_error_rate', count: 1 },
    ]);
    h.cleanup();
  });

  it("an informational alert under another holder's lock (a restart) is right; a later one is not", async () => {
    const h = setup();
    const t0 = h.clock.now();
    await h.learning.onLockEvent(
      h.event(
        'lock.acquired',
        {
          service: 'cart',
          holder: 'jira-resolver-x:INC-20250131-090',
          revision: 7,
          expires_at: new Date(t0 + 300_000).toISOString(),
          reason: 'restart',
        },
        t0 - 5_000,
        'jira-resolver',
      ),
    );
    const run = await h.runner.start('normal', { durationScale: 0.5 });
    await h.learning.onIncidentEvent(
      detected(h, t0 + 10_000, 'cart', 'container_crash', true).event,
    );
    await h.learning.onLockEvent(
      h.event(
        'lock.released',
        {
          service: 'cart',
          holder: 'jira-resolver-x:INC-20250131-090',
          revision: 7,
          reason: 'released',
        },
        t0 + 20_000,
        'jira-resolver',
      ),
    );
    await h.learning.onIncidentEvent(
      detected(h, t0 + 100_000, 'cart', 'container_crash', true).event,
    );
    await h.clock.advance(150_000);
    await run.done;
    await h.clock.advance(SETTLE_MS);
    expect((await h.learning.scores())[0]).toMatchObject({
      true_positives: 1,
      informational_correct: 1,
      false_positives: 1,
      false_positive_pairs: [{ service: 'cart', symptom: 'container_crash', count: 1 }],
    });
    h.cleanup();
  });

  it('after min_samples runs: suggestions with their evidence in the file, never applied', async () => {
    const h = setup({ min_samples: 2 });
    for (let i = 0; i < 2; i++) {
      const t = h.clock.now();
      const run = await h.runner.start('flagd_cart_failure', { durationScale: 0.1 });
      await h.learning.onIncidentEvent(
        detected(h, t + 5_000, 'ad', 'high_error_rate', false).event,
      );
      await h.clock.advance(30_000);
      await run.done;
      await h.clock.advance(SETTLE_MS);
    }
    const path = join(h.dir, 'learning', 'threshold-suggestions.json');
    // Scoring runs on its timer; the file write is real disk I/O.
    await eventually(() => existsSync(path));
    const file = JSON.parse(readFileSync(path, 'utf8')) as {
      runs: number;
      note: string;
      suggestions: unknown[];
    };
    expect(file.runs).toBe(2);
    expect(file.note).toMatch(/never changes a threshold/);
    expect(file.suggestions).toEqual([
      {
        service: 'ad',
        symptom: 'high_error_rate',
        direction: 'raise',
        setting: 'thresholds.alerting.services.ad.error_rate_ratio',
        current: 0.1,
        suggested: 0.125,
        evidence: { true_positives: 0, false_positives: 2, missed: 0 },
        reason: 'raise error_rate_ratio of ad: 2 false positive(s) against 0 right alert(s)',
      },
      {
        service: 'cart',
        symptom: 'high_error_rate',
        direction: 'lower',
        setting: 'thresholds.alerting.services.cart.error_rate_ratio',
        current: 0.02,
        suggested: 0.016,
        evidence: { true_positives: 0, false_positives: 0, missed: 2 },
        reason: 'lower error_rate_ratio of cart: 2 missed against 0 right alert(s)',
      },
    ]);
    expect((await h.learning.scorecard()).suggestions).toMatchObject({
      ready: true,
      runs: 2,
      min_samples: 2,
    });
    // The configuration is untouched: suggestions are for a human.
    expect(h.config.thresholds.alerting.services.get('ad')?.error_rate_ratio).toBe(0.1);
    h.cleanup();
  });

  it('a run left open by a crash is ended as aborted at the next start, scored but not aggregated', async () => {
    const h = setup();
    const handle = await h.runner.start('normal');
    // The process "dies": a new LearningService over the same bucket picks the run up.
    const revived = new LearningService(
      h.buckets,
      {
        settle_ms: SETTLE_MS,
        min_samples: 10,
        adjustment_suggestion: false,
        suggestions_file: join(h.dir, 'unused.json'),
        thresholds: { alerting: h.config.thresholds.alerting },
        own_holder_prefix: 'demo-controller-other',
      },
      h.clock,
      { log: jest.fn(), warn: jest.fn(), error: jest.fn() },
    );
    await h.clock.advance(10_000);
    await revived.start();
    expect((await h.buckets.runs.get(scenarioRunKey(handle.run_id)))?.value).toMatchObject({
      outcome: 'aborted',
      note: 'demo-controller stopped during the run',
    });
    await h.clock.advance(SETTLE_MS);
    expect((await revived.scores()).map((s) => s.outcome)).toEqual(['aborted']);
    expect(await h.buckets.scorecard.get(SCORECARD_KEY)).toBeNull();
    revived.stop();
    await h.runner.abort();
    h.cleanup();
  });

  it('a run another replica is running (it holds the active-scenario slot) is left alone at start', async () => {
    const h = setup();
    const handle = await h.runner.start('normal');
    // A second replica starts while the first one runs the scenario.
    const replica = new LearningService(
      h.buckets,
      {
        settle_ms: SETTLE_MS,
        min_samples: 10,
        adjustment_suggestion: false,
        suggestions_file: join(h.dir, 'unused.json'),
        thresholds: { alerting: h.config.thresholds.alerting },
        own_holder_prefix: 'demo-controller-other',
      },
      h.clock,
      { log: jest.fn(), warn: jest.fn(), error: jest.fn() },
      { runningRunId: () => Promise.resolve(handle.run_id) },
    );
    await replica.start();
    const run = (await h.buckets.runs.get(scenarioRunKey(handle.run_id)))?.value;
    expect(run?.finished_at).toBeUndefined();
    expect(run?.outcome).toBeUndefined();
    replica.stop();
    await h.runner.abort();
    h.cleanup();
  });
  it('two replicas: observations consumed by the one not running the scenario are scored; the run once', async () => {
    const h = setup();
    const t0 = h.clock.now();
    const handle = await h.runner.start('flagd_cart_failure', { durationScale: 0.1 });
    // The other replica: the shared consumers hand it some of the run's events.
    const replica = new LearningService(
      h.buckets,
      {
        settle_ms: SETTLE_MS,
        min_samples: 10,
        adjustment_suggestion: false,
        suggestions_file: join(h.dir, 'unused.json'),
        thresholds: { alerting: h.config.thresholds.alerting },
        own_holder_prefix: 'demo-controller-other',
      },
      h.clock,
      { log: jest.fn(), warn: jest.fn(), error: jest.fn() },
      { runningRunId: () => Promise.resolve(handle.run_id) },
    );
    await replica.start();
    const cart = detected(h, t0 + 10_000, 'cart', 'high_error_rate', false);
    const ad = detected(h, t0 + 12_000, 'ad', 'high_error_rate', false);
    await replica.onIncidentEvent(cart.event);
    await h.learning.onIncidentEvent(ad.event);
    // Resolved on the replica that did not see the incident opened.
    await h.learning.onIncidentEvent(
      h.event(
        'incident.resolved',
        { incident_id: cart.id, resolved_by: 'ops-monitor' },
        t0 + 20_000,
      ),
    );
    await h.clock.advance(30_000);
    await handle.done;

    const run = (await h.buckets.runs.get(scenarioRunKey(handle.run_id)))?.value;
    expect(run?.incidents.map((i) => [i.incident_id, i.resolved_at !== undefined])).toEqual([
      [cart.id, true],
      [ad.id, false],
    ]);
    // Both replicas try to score it: one does, the other finds it closed and does nothing.
    const [mine, theirs] = await Promise.all([
      h.learning.score(handle.run_id),
      replica.score(handle.run_id),
    ]);
    expect([mine, theirs].filter((score) => score !== null)).toHaveLength(1);
    expect((await h.learning.scorecard()).aggregate.runs).toBe(1);
    expect((await replica.scores()).map((score) => score.run_id)).toEqual([handle.run_id]);
    replica.stop();
    h.cleanup();
  });
});

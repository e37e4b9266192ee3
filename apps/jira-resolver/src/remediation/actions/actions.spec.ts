import { loadConfig, type RunbookStepConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { buildEvent, IncidentRecord, type RemediationRunRecord } from '@opscrew/contracts';
import { type LeaseService, IncidentLedger, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { ManualClock, RecordingAudit } from '@opscrew/testing';
import { type RemediationDeps } from '../remediation.deps';
import { FakeRuntime, REMEDIATION_START, ScriptedMetrics } from '../testing/remediation.fakes';
import { ACTIONS } from './action.registry';
import { type StepContext, type StepOutcome } from './runbook-action';

const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });

describe('runbook actions', () => {
  let clock: ManualClock;
  let runtime: FakeRuntime;
  let audit: RecordingAudit;
  let ledger: IncidentLedger;
  let context: StepContext;
  let metrics: ScriptedMetrics;

  const run = (overrides: Partial<RemediationRunRecord> = {}): RemediationRunRecord => ({
    incident_id: 'INC-20261124-001',
    run_id: 'r1',
    attempt: 1,
    service: 'checkout',
    symptom: 'high_latency',
    severity: 'high',
    mode: 'act',
    state: 'running',
    runbook: 'high_latency',
    step_index: 0,
    steps: [],
    evidence: '',
    owner: 'me',
    owner_until: '2026-11-24T11:00:00.000Z',
    created_at: '2026-11-24T10:00:00.000Z',
    updated_at: '2026-11-24T10:00:00.000Z',
    next_at: '2026-11-24T10:00:00.000Z',
    ...overrides,
  });

  const execute = (
    step: Partial<RunbookStepConfig> & { action: RunbookStepConfig['action'] } & Record<
        string,
        unknown
      >,
  ): Promise<StepOutcome> => ACTIONS[step.action].execute(context, { step: 1, ...step });

  beforeEach(() => {
    clock = new ManualClock(REMEDIATION_START);
    runtime = new FakeRuntime(clock, () => Promise.resolve(true));
    audit = new RecordingAudit();
    metrics = new ScriptedMetrics(runtime, clock);
    ledger = new IncidentLedger(
      new TypedKv(new FakeKv('incidents').asKv(), 'incidents', { class: IncidentRecord }),
    );
    const deps = {
      config: loaded.config,
      runtime,
      metrics,
      ledger,
      audit,
      now: clock.date,
      leases: {} as LeaseService,
    } as unknown as RemediationDeps;
    context = {
      deps,
      run: run(),
      save: (next) => {
        context.run = next;
        return Promise.resolve();
      },
      caller: { agent: 'jira-resolver', reason: 'test', incident_id: 'INC-20261124-001' },
    };
  });

  it("check_logs counts the step's patterns and quotes the last match", async () => {
    runtime.logLines = ['INFO start', 'ERROR db timeout', 'WARN slow', 'ERROR db timeout again'];
    expect(
      await execute({ action: 'check_logs', tail_lines: 100, patterns: ['timeout', 'panic'] }),
    ).toEqual({
      kind: 'done',
      result: 'ok',
      detail: '4 log lines: 2× "timeout"; last: ERROR db timeout again',
    });
  });

  it('check_dependencies names a dependency with an open incident', async () => {
    await ledger.open(
      buildEvent(
        'incident.detected',
        {
          incident_id: 'INC-20261124-002',
          fingerprint: 'payment:high_error_rate',
          service: 'payment',
          symptom: 'high_error_rate',
          severity: 'high',
          value: 0.4,
          detected_at: '2026-11-24T09:59:00.000Z',
        },
        'ops-monitor',
      ),
    );
    const outcome = await execute({ action: 'check_dependencies' });
    expect(outcome).toMatchObject({
      kind: 'done',
      result: 'ok',
      detail:
        'dependencies in trouble: payment has open incident INC-20261124-002 (high_error_rate)',
    });
  });

  it('check_resources sets resource_pressure for a later conditional restart', async () => {
    const inspect = runtime.inspect.bind(runtime);
    runtime.inspect = async (service, caller) => ({
      ...(await inspect(service, caller)),
      memory_bytes: 950 * 1_048_576,
      memory_limit_bytes: 1024 * 1_048_576,
    });
    const outcome = await execute({ action: 'check_resources' });
    expect(outcome).toMatchObject({
      kind: 'done',
      result: 'ok',
      detail: expect.stringMatching(
        /memory 950 MiB of 1024 MiB .*\(memory 93 % of the limit \(threshold 90 %\)\); resource pressure: yes \(memory\)$/,
      ),
    });
    expect(context.run.resource_pressure).toBe(true);
  });

  it('restart_service with if_resource_pressure skips without pressure (and restarts nothing)', async () => {
    const outcome = await execute({ action: 'restart_service', condition: 'if_resource_pressure' });
    expect(outcome).toEqual({
      kind: 'done',
      result: 'skipped',
      detail:
        'no resource pressure found: a restart would not help (condition if_resource_pressure)',
    });
    expect(runtime.restarts).toEqual([]);
  });

  describe('check_latency_trend (saturation: a p99 rising at a steady load)', () => {
    const step = { action: 'check_latency_trend' as const, interval_s: 10, min_rise_ratio: 0.1 };
    const twoReadings = async (
      first: { p99: number; rps: number },
      second: { p99: number; rps: number },
    ): Promise<StepOutcome> => {
      metrics.override = () => ({ latency_p99_ms: first.p99, request_rate_rps: first.rps });
      const wait = await execute(step);
      expect(wait).toMatchObject({
        kind: 'wait',
        at: new Date(clock.now() + 10_000).toISOString(),
      });
      expect(context.run.latency_probe).toMatchObject({ p99_ms: first.p99, misses: 0 });
      clock.advance(10_000);
      metrics.override = () => ({ latency_p99_ms: second.p99, request_rate_rps: second.rps });
      return execute(step);
    };

    it('calls a creep at a steady (or falling) load saturation: resource pressure', async () => {
      const outcome = await twoReadings({ p99: 1300, rps: 20 }, { p99: 2300, rps: 16 });
      expect(outcome).toEqual({
        kind: 'done',
        result: 'ok',
        detail:
          'latency rising: p99 1300 → 2300 ms in 10 s without more load: saturation, resource pressure (a restart resets it)',
      });
      expect(context.run).toMatchObject({ latency_trend: 'rising', resource_pressure: true });
      expect(context.run.latency_probe).toBeUndefined();
    });

    it('leaves a rise that came with more load to the load: no pressure', async () => {
      const outcome = await twoReadings({ p99: 1300, rps: 20 }, { p99: 2300, rps: 40 });
      expect(outcome).toMatchObject({
        result: 'ok',
        detail: expect.stringMatching(/the load grew as much/),
      });
      expect(context.run.resource_pressure).toBeUndefined();
    });

    it('calls a doubling at a third more load (counting noise at a low rate) saturation', async () => {
      // The demo's latency creep in shipping as a CI run read it: the rate is too low to explain it.
      const outcome = await twoReadings({ p99: 2485, rps: 1 }, { p99: 4962, rps: 1.3 });
      expect(outcome).toMatchObject({
        result: 'ok',
        detail: expect.stringMatching(/without more load: saturation/),
      });
      expect(context.run).toMatchObject({ latency_trend: 'rising', resource_pressure: true });
    });

    it('blames the load only when it grew at least as much as the p99 (property)', async () => {
      // Ratios on a grid around the boundary: pressure exactly when the load did not keep pace.
      for (const latencyRatio of [1.2, 1.5, 2, 3]) {
        for (const loadRatio of [0.5, 1, 1.2, 1.31, 1.6, 2.5, 4]) {
          context.run = { ...context.run, latency_probe: undefined, resource_pressure: undefined };
          await twoReadings(
            { p99: 1000, rps: 10 },
            { p99: 1000 * latencyRatio, rps: 10 * loadRatio },
          );
          const loadExplains = loadRatio > 1.3 && loadRatio >= latencyRatio;
          expect([latencyRatio, loadRatio, context.run.resource_pressure === true]).toEqual([
            latencyRatio,
            loadRatio,
            !loadExplains,
          ]);
        }
      }
    });

    it.each([
      [{ p99: 1300, rps: 20 }, { p99: 1350, rps: 20 }, 'steady'],
      [{ p99: 1300, rps: 20 }, { p99: 600, rps: 20 }, 'falling'],
    ])('reads %o then %o as %s', async (first, second, trend) => {
      await twoReadings(first, second);
      expect(context.run.latency_trend).toBe(trend);
      expect(context.run.resource_pressure).toBeUndefined();
    });

    it('calls a p99 held above its threshold at a steady load saturated (a creep at its ceiling)', async () => {
      // checkout's p99 threshold is the default 5 s; the creep is pinned at 10 s, the load unchanged.
      const outcome = await twoReadings({ p99: 9800, rps: 20 }, { p99: 10000, rps: 17 });
      expect(outcome).toMatchObject({
        result: 'ok',
        detail: expect.stringMatching(
          /^latency steady: p99 9800 → 10000 ms in 10 s, held above its 5000 ms threshold without more load: saturated/,
        ),
      });
      expect(context.run).toMatchObject({ latency_trend: 'steady', resource_pressure: true });
    });

    it('calls a p99 above its threshold followed by no finished request saturated', async () => {
      metrics.override = () => ({ latency_p99_ms: 9800, request_rate_rps: 20 });
      expect((await execute(step)).kind).toBe('wait');
      clock.advance(10_000);
      metrics.override = () => ({ latency_p99_ms: null, request_rate_rps: 0 });
      expect(await execute(step)).toMatchObject({
        result: 'ok',
        detail: expect.stringMatching(/then no request finished in the window: saturated/),
      });
      expect(context.run).toMatchObject({ latency_trend: 'rising', resource_pressure: true });
    });

    it('leaves a high p99 that came with twice the load to the load', async () => {
      await twoReadings({ p99: 9800, rps: 20 }, { p99: 10000, rps: 40 });
      expect(context.run.resource_pressure).toBeUndefined();
    });

    it('gives up on a service with nothing to read (no pressure, trend unknown)', async () => {
      metrics.windowsPending = 10;
      for (let i = 0; i < 2; i++) {
        expect((await execute(step)).kind).toBe('wait');
        clock.advance(10_000);
      }
      expect(await execute(step)).toMatchObject({ kind: 'done', result: 'failed' });
      expect(context.run.latency_trend).toBe('unknown');
    });
  });

  it("restart_service restarts nothing when check_dependencies found a dependency in trouble: the culprit's incident carries the fix", async () => {
    context.run = {
      ...context.run,
      dependency_trouble: 'shipping has open incident INC-1 (high_latency)',
    };
    const outcome = await execute({ action: 'restart_service', condition: 'always' });
    expect(outcome).toMatchObject({
      kind: 'done',
      result: 'skipped',
      detail: expect.stringMatching(/^a dependency is in trouble \(shipping has open incident/),
    });
    expect(runtime.restarts).toEqual([]);
  });

  it('restart_service never restarts a silenced service: it waits for the window to end (a guard)', async () => {
    const until = '2026-11-24T12:00:00.000Z';
    const asked: string[] = [];
    context = {
      ...context,
      deps: {
        ...context.deps,
        silences: {
          isSilenced: (service: string) => {
            asked.push(service);
            return Promise.resolve({
              service,
              since: '2026-11-24T09:30:00.000Z',
              until,
              reason: 'db migration',
              by: { via: 'discord' as const, id: '42', name: 'alice' },
            });
          },
        },
      },
    };
    const outcome = await execute({ action: 'restart_service', condition: 'always' });
    expect(outcome).toEqual({
      kind: 'defer',
      deferral: 'guard',
      holder: 'silence',
      until,
      reason: expect.stringMatching(
        /^checkout is silenced until 2026-11-24T12:00:00.000Z by alice \(discord\): db migration — no automatic restart/,
      ) as string,
    });
    expect(asked).toEqual(['checkout']);
    expect(runtime.restarts).toEqual([]);
  });

  it('check_connection_count finds pool exhaustion in the logs', async () => {
    runtime.logLines = ['ERROR Timeout acquiring connection from pool', 'INFO ok'];
    expect(await execute({ action: 'check_connection_count' })).toEqual({
      kind: 'done',
      result: 'ok',
      detail:
        'check_connection_count: 1 connection-pool errors; latest: ERROR Timeout acquiring connection from pool',
    });
  });

  it('increase_memory_limit only proposes, and audits the proposal as not applied', async () => {
    const inspect = runtime.inspect.bind(runtime);
    runtime.inspect = async (service, caller) => ({
      ...(await inspect(service, caller)),
      memory_limit_bytes: 512 * 1_048_576,
    });
    const outcome = await execute({
      action: 'increase_memory_limit',
      factor: 1.5,
      max_memory_mb: 4096,
      requires_approval: true,
    });
    expect(outcome).toEqual({
      kind: 'done',
      result: 'skipped',
      detail:
        "proposal, needs approval (not applied): raise checkout's memory limit from 512 MiB to 768 MiB (×1.5, capped at 4096 MiB)",
    });
    expect(audit.entries).toEqual([
      expect.objectContaining({ action: 'runtime.increase_memory_limit', verdict: 'refused' }),
    ]);
    expect(runtime.restarts).toEqual([]);
  });

  it('verify_stability watches for its duration, then judges the metrics', async () => {
    const first = await execute({ action: 'verify_stability', duration_s: 60 });
    expect(first).toEqual({
      kind: 'wait',
      at: '2026-11-24T10:01:00.000Z',
      detail: 'verify_stability: watching checkout for 60 s',
    });
    clock.advance(30_000);
    expect(await execute({ action: 'verify_stability', duration_s: 60 })).toEqual({
      kind: 'wait',
      at: '2026-11-24T10:01:00.000Z',
    });
    clock.advance(30_000);
    // The scripted service was never restarted, so its metrics are still bad: not stable.
    expect(await execute({ action: 'verify_stability', duration_s: 60 })).toMatchObject({
      kind: 'fail',
      detail: expect.stringMatching(
        /^verify_stability: not stable after 60 s — error rate 25\.00 %/,
      ),
    });
    expect(context.run.watch_until).toBeUndefined();
  });

  it('verify_stability judges again one check interval later when the window is not open yet', async () => {
    await runtime.restart(
      'checkout',
      { key: 'service.checkout', revision: 1 },
      { agent: 'jira-resolver', reason: 'test' },
    );
    expect(await execute({ action: 'verify_stability', duration_s: 60 })).toMatchObject({
      kind: 'wait',
    });
    clock.advance(60_000);
    metrics.windowsPending = 1; // the scrape at the start found the service still starting
    const interval = loaded.config.thresholds.verification.check_interval_s * 1000;
    expect(await execute({ action: 'verify_stability', duration_s: 60 })).toEqual({
      kind: 'wait',
      at: new Date(clock.now() + interval).toISOString(),
      detail: 'verify_stability: first scrape: no window yet; judging again',
    });
    clock.advance(interval);
    expect(await execute({ action: 'verify_stability', duration_s: 60 })).toMatchObject({
      kind: 'done',
      result: 'ok',
    });
  });

  it('verify_stability never watches longer than verification.max_watch_s (staging, the demo)', async () => {
    const verification = { ...loaded.config.thresholds.verification, max_watch_s: 8 };
    context = {
      ...context,
      deps: {
        ...context.deps,
        config: {
          ...loaded.config,
          thresholds: { ...loaded.config.thresholds, verification },
        },
      },
    };
    expect(await execute({ action: 'verify_stability', duration_s: 300 })).toEqual({
      kind: 'wait',
      at: '2026-11-24T10:00:08.000Z',
      detail: 'verify_stability: watching checkout for 8 s',
    });
  });

  it('verify_metrics enters the verifying state with the configured wait', async () => {
    const outcome = await execute({ action: 'verify_metrics' });
    expect(outcome).toEqual({
      kind: 'wait',
      at: '2026-11-24T10:02:00.000Z',
      detail: 'verifying: first check in 120 s',
    });
    expect(context.run).toMatchObject({
      state: 'verifying',
      verification: { checks: 0, passes_in_row: 0, failures: 0, step_index: 0 },
    });
  });
});

import { type VerificationConfig } from '@opscrew/config';
import { ManualClock } from '@opscrew/testing';
import { REMEDIATION_START } from '../../testing/remediation.fakes';
import { MemorySession, QueuedMetrics, runRecord } from '../../testing/run-session.fixture';
import { InvalidCommandError } from '../command';
import { beginVerification } from './begin-verification';
import { VerifyFixCommand } from './verify-fix.command';
import { checkDelayS, VerifyFix } from './verify-fix.usecase';

const settings: VerificationConfig = {
  wait_after_restart_s: 60,
  check_interval_s: 10,
  success_criteria: { error_rate_below: 0.05, latency_below_ms: 500, consecutive_checks: 2 },
  failure_budget_checks: 2,
};

describe('VerifyFix', () => {
  let clock: ManualClock;
  let metrics: QueuedMetrics;
  let verify: VerifyFix;

  const verifying = (
    progress: Partial<NonNullable<ReturnType<typeof runRecord>['verification']>> = {},
  ) =>
    new MemorySession(
      runRecord({
        state: 'verifying',
        runbook: 'high_error_rate',
        step_index: 2,
        verification: {
          started_at: REMEDIATION_START,
          checks: 0,
          passes_in_row: 0,
          failures: 0,
          step_index: 2,
          ...progress,
        },
      }),
    );
  const check = (session: MemorySession) => verify.execute(VerifyFixCommand.create({ session }));

  beforeEach(() => {
    clock = new ManualClock(REMEDIATION_START);
    metrics = new QueuedMetrics();
    verify = new VerifyFix({ metrics, verification: settings, now: clock.date });
  });

  it('refuses a run that is not verifying, naming the field', () => {
    const session = new MemorySession(runRecord({ state: 'running' }));
    expect(() => VerifyFixCommand.create({ session })).toThrow(InvalidCommandError);
    expect(() => VerifyFixCommand.create({ session })).toThrow(
      'VerifyFixCommand.session.run.state: expected verifying, got running',
    );
  });

  it('passes after enough good checks in a row and moves past the verify_metrics step', async () => {
    metrics.sample('checkout');
    const session = verifying();
    expect(await check(session)).toEqual({ kind: 'wait' });
    expect(session.run.verification).toMatchObject({ checks: 1, passes_in_row: 1 });
    expect(session.run.next_at).toBe('2026-11-24T10:00:10.000Z');
    expect(await check(session)).toEqual({ kind: 'continue' });
    expect(session.run).toMatchObject({ state: 'running', verified: true, step_index: 3 });
    expect(session.run.steps.at(-1)).toMatchObject({
      step: 3,
      action: 'verify_metrics',
      result: 'ok',
    });
    expect(metrics.asked).toEqual([['checkout'], ['checkout']]);
  });

  it('escalates when the fix does not hold past the failure budget', async () => {
    metrics.sample('checkout', { error_rate_ratio: 0.3 });
    const session = verifying({ failures: 1 });
    const outcome = await check(session);
    expect(outcome).toMatchObject({ kind: 'escalate' });
    expect(outcome.kind === 'escalate' && outcome.reason).toMatch(
      /^the fix did not hold: 2 failed checks \(budget 2\)/,
    );
    expect(session.run.verification).toMatchObject({ failures: 2, passes_in_row: 0 });
  });

  it('waits longer after each check with nothing to judge, then escalates', async () => {
    metrics.missing('checkout', 'no requests in the window');
    const session = verifying({ passes_in_row: 1 });
    expect(await check(session)).toEqual({ kind: 'wait' });
    // The streak survives: nothing was judged.
    expect(session.run.verification).toMatchObject({ passes_in_row: 1, inconclusive: 1 });
    expect(session.run.next_at).toBe('2026-11-24T10:00:20.000Z');
    expect(await check(session)).toEqual({ kind: 'wait' });
    expect(await check(session)).toEqual({ kind: 'wait' });
    const outcome = await check(session);
    expect(outcome.kind === 'escalate' && outcome.reason).toMatch(
      /^could not verify the fix: 4 checks with nothing to judge/,
    );
  });

  it('goes back to the check interval once a check has traffic to judge', async () => {
    // A restarted quiet service: three windows without traffic stretched the delay to 8×; the
    // first judged check proves the window long enough again (the demo's shipping waited 9 s).
    metrics.sample('checkout');
    const session = verifying({ inconclusive: 3 });
    expect(await check(session)).toEqual({ kind: 'wait' });
    expect(session.run.verification).toMatchObject({ passes_in_row: 1, inconclusive: 3 });
    expect(session.run.next_at).toBe('2026-11-24T10:00:10.000Z');
  });

  it('starts over a verifying run that carries no progress', async () => {
    const session = new MemorySession(runRecord({ state: 'verifying' }));
    expect(await check(session)).toEqual({ kind: 'wait' });
    expect(session.run.verification).toEqual({
      started_at: REMEDIATION_START,
      checks: 0,
      passes_in_row: 0,
      failures: 0,
    });
    expect(session.run.next_at).toBe('2026-11-24T10:01:00.000Z');
  });

  it('doubles the check delay per inconclusive check, up to 8×', () => {
    expect([0, 1, 2, 3, 4, 9].map((n) => checkDelayS(10, n))).toEqual([10, 20, 40, 80, 80, 80]);
  });
});

describe('beginVerification (the one place a run enters verifying)', () => {
  it('writes fresh progress, the first check time and primes the metrics', async () => {
    const clock = new ManualClock(REMEDIATION_START);
    const metrics = new QueuedMetrics();
    const session = new MemorySession(runRecord({ state: 'running', step_index: 4 }));
    const { at } = await beginVerification(
      session,
      { metrics, now: clock.date },
      { waitS: 30, stepIndex: 4 },
    );
    expect(at).toBe('2026-11-24T10:00:30.000Z');
    expect(session.saves).toHaveLength(1);
    expect(session.run).toMatchObject({
      state: 'verifying',
      next_at: at,
      verification: { checks: 0, passes_in_row: 0, failures: 0, step_index: 4 },
    });
    expect(metrics.asked).toEqual([['checkout']]);
  });

  it('is not stopped by a metrics source that cannot prime', async () => {
    const session = new MemorySession(runRecord({ state: 'running' }));
    const failing = { collect: () => Promise.reject(new Error('scrape down')) };
    await beginVerification(
      session,
      { metrics: failing, now: () => new Date(REMEDIATION_START) },
      { waitS: 0 },
    );
    expect(session.run.state).toBe('verifying');
    expect(session.run.verification?.step_index).toBeUndefined();
  });
});

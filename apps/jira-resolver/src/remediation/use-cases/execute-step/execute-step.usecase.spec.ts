import { loadConfig, RUNBOOK_ACTIONS, type RunbookActionName } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { SUBJECTS } from '@opscrew/contracts';
import { ManualClock, RecordingAudit, RecordingOutbox, RecordingPublisher } from '@opscrew/testing';
import { TicketGateway } from '../../../tickets/ticket.gateway';
import {
  type ActionPorts,
  type RunbookAction,
  type StepContext,
  type StepOutcome,
} from '../../actions/runbook-action';
import { RecordingEscalation, REMEDIATION_START } from '../../testing/remediation.fakes';
import {
  catalogOf,
  MemorySession,
  QueuedMetrics,
  runRecord,
} from '../../testing/run-session.fixture';
import { LostRunError } from '../../run/run-session';
import { ExecuteStepCommand } from './execute-step.command';
import { ExecuteStep } from './execute-step.usecase';

const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });

/** Answers the queued outcomes in order; `onRun` may change the run as a real action would. */
class ScriptedAction implements RunbookAction {
  readonly outcomes: StepOutcome[] = [];
  readonly seen: StepContext[] = [];
  onRun: (context: StepContext) => Promise<void> = () => Promise.resolve();

  async execute(context: StepContext): Promise<StepOutcome> {
    this.seen.push(context);
    await this.onRun(context);
    const next = this.outcomes.shift();
    if (!next) throw new Error('no outcome scripted');
    return next;
  }
}

/** The registry with one scripted behaviour behind every action name. */
function everyAction(action: RunbookAction): Record<RunbookActionName, RunbookAction> {
  const registry: Partial<Record<RunbookActionName, RunbookAction>> = {};
  for (const name of RUNBOOK_ACTIONS) registry[name] = action;
  return registry as Record<RunbookActionName, RunbookAction>;
}

describe('ExecuteStep', () => {
  let clock: ManualClock;
  let action: ScriptedAction;
  let audit: RecordingAudit;
  let outbox: RecordingOutbox;
  let publisher: RecordingPublisher;
  let metrics: QueuedMetrics;
  let escalation: RecordingEscalation;

  const useCase = (overrides: { mode?: 'act' | 'observe'; maxAutoActions?: number } = {}) =>
    new ExecuteStep({
      actions: everyAction(action),
      actionPorts: { metrics, now: clock.date, config: loaded.config } as unknown as ActionPorts,
      catalog: catalogOf({
        two_checks: {
          actions: [
            { step: 1, action: 'check_logs' },
            { step: 2, action: 'restart_service' },
          ],
        },
      }),
      tickets: new TicketGateway(outbox, false),
      escalation,
      audit,
      publisher,
      maxAutoActions: overrides.maxAutoActions ?? 5,
      verification: { wait_after_restart_s: 45 },
      mode: overrides.mode ?? 'act',
      now: clock.date,
    });
  const running = (overrides: Parameters<typeof runRecord>[0] = {}) =>
    new MemorySession(runRecord({ state: 'running', runbook: 'two_checks', ...overrides }));
  const step = (session: MemorySession, subject = useCase()) =>
    subject.execute(ExecuteStepCommand.create({ session }));

  beforeEach(() => {
    clock = new ManualClock(REMEDIATION_START);
    action = new ScriptedAction();
    audit = new RecordingAudit();
    outbox = new RecordingOutbox();
    publisher = new RecordingPublisher('jira-resolver', clock);
    metrics = new QueuedMetrics();
    escalation = new RecordingEscalation();
  });

  it('refuses a run outside running | deferred', () => {
    expect(() =>
      ExecuteStepCommand.create({ session: new MemorySession(runRecord({ state: 'queued' })) }),
    ).toThrow('ExecuteStepCommand.session.run.state: expected running | deferred, got queued');
  });

  it('records a finished step on the run, the audit trail and the ticket, then goes on', async () => {
    action.outcomes.push({ kind: 'done', result: 'ok', detail: '3 errors in the logs' });
    const session = running({ errors: 2 });
    expect(await step(session)).toEqual({ kind: 'continue' });
    expect(session.run).toMatchObject({ step_index: 1, errors: 0 });
    expect(session.run.steps).toEqual([
      {
        step: 1,
        action: 'check_logs',
        result: 'ok',
        detail: '3 errors in the logs',
        at: REMEDIATION_START,
      },
    ]);
    expect(audit.actions()).toEqual(['INC-20261124-001 remediation.check_logs']);
    expect(outbox.comments()).toEqual(['Step 1 check_logs: ok — 3 errors in the logs']);
  });

  it('hands actions the session (its saves land on the run) and only the action ports', async () => {
    action.onRun = (context) => context.save({ ...context.run, watch_until: REMEDIATION_START });
    action.outcomes.push({ kind: 'wait', at: '2026-11-24T10:01:00.000Z' });
    const session = running();
    expect(await step(session)).toEqual({ kind: 'wait' });
    expect(session.run).toMatchObject({
      watch_until: REMEDIATION_START,
      next_at: '2026-11-24T10:01:00.000Z',
    });
    expect(Object.keys(action.seen[0]?.deps ?? {})).not.toContain('tickets');
  });

  it('defers to a lock holder once on the trail, ticket and bus; a second deferral only waits', async () => {
    const deferral: StepOutcome = {
      kind: 'defer',
      holder: 'load-test',
      until: '2026-11-24T10:05:00.000Z',
      reason: 'load test',
    };
    action.outcomes.push(deferral, deferral);
    const session = running({ step_index: 1 });
    expect(await step(session)).toEqual({ kind: 'wait' });
    expect(session.run).toMatchObject({
      state: 'deferred',
      deferred: { kind: 'lock', holder: 'load-test' },
      next_at: '2026-11-24T10:05:00.000Z',
    });
    expect(audit.entries.map((entry) => entry.verdict)).toEqual(['refused']);
    expect(outbox.comments()).toEqual([
      'deferred: load-test holds checkout until 2026-11-24T10:05:00.000Z',
    ]);
    expect(publisher.subjects()).toEqual([SUBJECTS.incidentUpdated]);

    // The lock came free and was taken again by the same holder: resume, defer, nothing retold.
    expect(await step(session)).toEqual({ kind: 'continue' });
    expect(session.run.state).toBe('running');
    expect(await step(session)).toEqual({ kind: 'wait' });
    expect(audit.entries).toHaveLength(1);
    expect(publisher.subjects()).toHaveLength(1);
  });

  it("a deferral that is a person's business pages once and still waits for its time", async () => {
    const spent: StepOutcome = {
      kind: 'defer',
      deferral: 'guard',
      holder: 'restarts_per_hour',
      until: '2026-11-24T10:40:00.000Z',
      reason: '6 restarts by the crew in the last hour (limit 6): a systemic problem for a human',
      page: true,
    };
    action.outcomes.push(spent, spent);
    const session = running({ step_index: 1 });
    expect(await step(session)).toEqual({ kind: 'wait' });
    expect(session.run).toMatchObject({ state: 'deferred', next_at: '2026-11-24T10:40:00.000Z' });
    expect(escalation.calls).toEqual([`escalate ${session.run.incident_id}: ${spent.reason}`]);
    // Its time came and the budget is still spent: waits again, nobody paged twice.
    clock.advance(40 * 60_000);
    expect(await step(session)).toEqual({ kind: 'continue' });
    expect(await step(session)).toEqual({ kind: 'wait' });
    expect(escalation.calls).toHaveLength(1);
    // Observe mode decides and records, never pages.
    action.outcomes.push(spent);
    expect(await step(running({ step_index: 1 }), useCase({ mode: 'observe' }))).toEqual({
      kind: 'wait',
    });
    expect(escalation.calls).toHaveLength(1);
  });

  it('a cooldown waits without paging: the escalation deadline pages if the fault outlives it', async () => {
    action.outcomes.push({
      kind: 'defer',
      deferral: 'guard',
      holder: 'cooldown',
      until: '2026-11-24T10:10:00.000Z',
      reason: 'checkout was restarted 40 s ago',
    });
    expect(await step(running({ step_index: 1 }))).toEqual({ kind: 'wait' });
    expect(escalation.calls).toEqual([]);
  });

  it('moves the ticket to In Review when a step started the verification', async () => {
    action.onRun = (context) => context.save({ ...context.run, state: 'verifying' });
    action.outcomes.push({ kind: 'wait', at: '2026-11-24T10:02:00.000Z', detail: 'verifying' });
    expect(await step(running())).toEqual({ kind: 'wait' });
    expect(outbox.transitions()).toEqual(['in_review']);
  });

  it('escalates a failed step, a missing runbook and a spent action budget', async () => {
    action.outcomes.push({ kind: 'fail', detail: 'crash loop' });
    expect(await step(running())).toEqual({ kind: 'escalate', reason: 'crash loop' });
    expect(await step(running({ runbook: 'gone' }))).toEqual({
      kind: 'escalate',
      reason: 'runbook gone is no longer configured',
    });
    const spent = running({
      steps: [{ step: 1, action: 'check_logs', result: 'ok', detail: '', at: REMEDIATION_START }],
      step_index: 1,
    });
    expect(await step(spent, useCase({ maxAutoActions: 1 }))).toEqual({
      kind: 'escalate',
      reason: 'max_auto_actions_per_run (1) reached before the runbook finished',
    });
  });

  it('past the last step: resolves a verified run, verifies an unverified one first', async () => {
    expect(await step(running({ step_index: 2, verified: true }))).toEqual({ kind: 'resolve' });
    expect(await step(running({ step_index: 2 }), useCase({ mode: 'observe' }))).toEqual({
      kind: 'resolve',
    });
    const unverified = running({ step_index: 2 });
    expect(await step(unverified)).toEqual({ kind: 'wait' });
    expect(unverified.run).toMatchObject({
      state: 'verifying',
      next_at: '2026-11-24T10:00:45.000Z',
      verification: { checks: 0 },
    });
    expect(unverified.run.verification?.step_index).toBeUndefined();
    expect(metrics.asked).toEqual([['checkout']]);
    expect(outbox.ofKind('ticket.transition').map((t) => [t.to, t.comment])).toEqual([
      ['in_review', 'Verifying with metrics: first check in 45 s'],
    ]);
  });

  it('lets a lost run through to the engine: nothing recorded after the failed save', async () => {
    action.outcomes.push({ kind: 'done', result: 'ok', detail: 'fine' });
    const session = running();
    session.loseAfter = 0;
    await expect(step(session)).rejects.toBeInstanceOf(LostRunError);
    expect(audit.entries).toEqual([]);
    expect(outbox.calls).toEqual([]);
  });
});

import { type RemediationRunRecord } from '@opscrew/contracts';
import { ManualClock } from '@opscrew/testing';
import { RemediationEngine, type RemediationUseCases } from './remediation.engine';
import { RunClaims } from './run/run-claims';
import { type RunSession } from './run/run-session';
import { StepBackoff } from './run/step-backoff';
import { REMEDIATION_START } from './testing/remediation.fakes';
import { runRecord } from './testing/run-session.fixture';
import { type ResolveOrEscalateCommand } from './use-cases/resolve-or-escalate/resolve-or-escalate.command';
import { CONTINUE, escalate, RESOLVE, type Transition, WAIT } from './use-cases/transition';

/** A use case that records the state it was given and answers the scripted transitions. */
function scripted(
  name: string,
  log: string[],
  answers: (session: RunSession) => Promise<Transition>,
) {
  return {
    execute: (command: { session: RunSession }) => {
      log.push(`${name} ${command.session.run.state}`);
      return answers(command.session);
    },
  };
}

describe('RemediationEngine (the front: one use case per state)', () => {
  let clock: ManualClock;
  let log: string[];
  let stored: RemediationRunRecord;
  let revision: number;
  let conflictAt: number;

  const engine = (
    overrides: Partial<
      Record<'triage' | 'executeStep' | 'verifyFix', ReturnType<typeof scripted>>
    > = {},
  ) =>
    new RemediationEngine({
      claims: new RunClaims({
        runs: {
          update: (run, expected) => {
            if (expected !== revision || revision === conflictAt) return Promise.resolve(null);
            stored = run;
            revision += 1;
            return Promise.resolve(revision);
          },
        },
        leases: { current: () => Promise.resolve(null) },
        now: clock.date,
        holder: 'resolver-a',
      }),
      lease: { renew: () => Promise.resolve(null) },
      backoff: new StepBackoff({ now: clock.date }),
      openRun: {} as RemediationUseCases['openRun'],
      triage: scripted('triage', log, async (session) => {
        await session.save({ ...session.run, state: 'running' });
        return CONTINUE;
      }),
      executeStep: scripted('step', log, async (session) => {
        await session.save({ ...session.run, state: 'verifying' });
        return CONTINUE;
      }),
      verifyFix: scripted('verify', log, () => Promise.resolve(RESOLVE)),
      resolveOrEscalate: {
        execute: (command: ResolveOrEscalateCommand) => {
          log.push(`${command.outcome}${command.reason ? `: ${command.reason}` : ''}`);
          return Promise.resolve();
        },
      },
      now: clock.date,
      ...overrides,
    } as unknown as RemediationUseCases);
  const advance = (subject = engine()) => subject.advance({ value: stored, revision });

  beforeEach(() => {
    clock = new ManualClock(REMEDIATION_START);
    log = [];
    stored = runRecord({ owner: 'none' });
    revision = 1;
    conflictAt = -1;
  });

  it('drives a run through triage, its steps and verification to the end in one advance', async () => {
    await advance();
    expect(log).toEqual(['triage queued', 'step running', 'verify verifying', 'resolve']);
    expect(stored.owner).toBe('resolver-a');
  });

  it('stops at a wait and at a run whose next check is still to come', async () => {
    await advance(engine({ executeStep: scripted('step', log, () => Promise.resolve(WAIT)) }));
    expect(log).toEqual(['triage queued', 'step running']);
    log.length = 0;
    stored = { ...stored, next_at: '2026-11-24T10:00:05.000Z' };
    await advance();
    expect(log).toEqual([]);
  });

  it('hands an escalation to ResolveOrEscalate with its reason', async () => {
    await advance(
      engine({ triage: scripted('triage', log, () => Promise.resolve(escalate('no runbook'))) }),
    );
    expect(log).toEqual(['triage queued', 'escalate: no runbook']);
  });

  it('leaves a run another replica owns, and drops a turn quietly when the run moved on', async () => {
    stored = runRecord({ owner: 'resolver-b', owner_until: '2026-11-24T10:00:30.000Z' });
    await advance();
    expect(log).toEqual([]);
    stored = runRecord({ owner: 'none' });
    conflictAt = 2;
    await expect(advance()).resolves.toBeUndefined();
    expect(log).toEqual(['triage queued']);
  });

  it('backs off a step that throws, without escalating before the budget', async () => {
    await advance(
      engine({ triage: scripted('triage', log, () => Promise.reject(new Error('runtime down'))) }),
    );
    expect(log).toEqual(['triage queued']);
    expect(stored).toMatchObject({ state: 'queued', errors: 1, last_error: 'runtime down' });
    expect(stored.next_at).toBe('2026-11-24T10:00:02.000Z');
  });

  it('rethrows nothing for a lost claim during the backoff either', async () => {
    conflictAt = 2; // the claim is written, the backoff's save finds the run moved on
    await expect(
      advance(
        engine({ triage: scripted('triage', log, () => Promise.reject(new Error('bus gone'))) }),
      ),
    ).resolves.toBeUndefined();
    expect(stored.errors).toBeUndefined();
  });
});

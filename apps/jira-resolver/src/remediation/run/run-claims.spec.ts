import { type RemediationRunRecord } from '@opscrew/contracts';
import { type Lease } from '@opscrew/messaging';
import { ManualClock } from '@opscrew/testing';
import { REMEDIATION_START } from '../testing/remediation.fakes';
import { runRecord } from '../testing/run-session.fixture';
import { RUN_CLAIM_MS, RunClaims } from './run-claims';
import { LostRunError } from './run-session';

describe('RunClaims (run ownership)', () => {
  let clock: ManualClock;
  let written: { run: RemediationRunRecord; revision: number }[];
  let conflict: boolean;
  let lockHolder: string | null;

  const claims = () =>
    new RunClaims({
      runs: {
        update: (run, revision) => {
          if (conflict) return Promise.resolve(null);
          written.push({ run, revision });
          return Promise.resolve(revision + 1);
        },
      },
      leases: {
        current: () =>
          Promise.resolve(lockHolder === null ? null : ({ holder: lockHolder } as Lease)),
      },
      now: clock.date,
      holder: 'resolver-a',
    });

  beforeEach(() => {
    clock = new ManualClock(REMEDIATION_START);
    written = [];
    conflict = false;
    lockHolder = null;
  });

  it('leaves a run another replica holds until its claim runs out', () => {
    const run = runRecord({ owner: 'resolver-b', owner_until: '2026-11-24T10:00:30.000Z' });
    expect(claims().mayTake(run, clock.date())).toBe(false);
    expect(claims().mayTake({ ...run, owner: 'resolver-a' }, clock.date())).toBe(true);
    clock.advance(30_000);
    expect(claims().mayTake(run, clock.date())).toBe(true);
  });

  it('says a run is due by its timer, its guard, its lock holder or its lease', async () => {
    const now = clock.date();
    expect(await claims().due(runRecord({ next_at: '2026-11-24T10:00:01.000Z' }), now)).toBe(false);
    expect(await claims().due(runRecord(), now)).toBe(true);
    const guarded = runRecord({
      state: 'deferred',
      deferred: {
        kind: 'guard',
        holder: 'cooldown',
        until: '2026-11-24T10:01:00.000Z',
        reason: '',
      },
    });
    expect(await claims().due(guarded, now)).toBe(false);
    const locked = runRecord({
      state: 'deferred',
      deferred: {
        kind: 'lock',
        holder: 'load-test',
        until: '2026-11-24T10:09:00.000Z',
        reason: '',
      },
    });
    lockHolder = 'load-test';
    expect(await claims().due(locked, now)).toBe(false);
    lockHolder = null;
    expect(await claims().due(locked, now)).toBe(true);
    const expiring = runRecord({
      next_at: '2026-11-24T10:05:00.000Z',
      lease: {
        key: 'service.checkout',
        holder: 'resolver-a',
        revision: 4,
        acquired_at: REMEDIATION_START,
        expires_at: '2026-11-24T10:00:10.000Z',
        ttl_ms: 60_000,
      },
    });
    expect(await claims().due(expiring, now)).toBe(true);
  });

  it('writes by CAS, renewing the claim with every save, and throws LostRunError on a conflict', async () => {
    const session = claims().open({ value: runRecord({ owner: 'none' }), revision: 7 });
    expect(session.caller).toEqual({
      agent: 'jira-resolver',
      reason: 'INC-20261124-001 (run r1)',
      incident_id: 'INC-20261124-001',
    });
    await session.save(session.run);
    await session.save({ ...session.run, state: 'running' });
    expect(written.map((entry) => entry.revision)).toEqual([7, 8]);
    expect(session.run).toMatchObject({
      state: 'running',
      owner: 'resolver-a',
      owner_until: new Date(clock.ms + RUN_CLAIM_MS).toISOString(),
    });
    conflict = true;
    await expect(session.save(session.run)).rejects.toBeInstanceOf(LostRunError);
    expect(session.run.state).toBe('running');
  });
});

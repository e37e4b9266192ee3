import { ManualClock } from '@opscrew/testing';
import { REMEDIATION_START } from '../testing/remediation.fakes';
import { MemorySession, runRecord } from '../testing/run-session.fixture';
import { MAX_STEP_ERRORS, StepBackoff } from './step-backoff';

describe('StepBackoff', () => {
  it('retries after 2, 4, 8, 16 s, then escalates on the fifth error in a row', async () => {
    const clock = new ManualClock(REMEDIATION_START);
    const backoff = new StepBackoff({ now: clock.date });
    const session = new MemorySession(runRecord({ state: 'running' }));
    const delays: number[] = [];
    for (let error = 1; error < MAX_STEP_ERRORS; error++) {
      expect(await backoff.afterError(session, new Error('runtime down'))).toEqual({
        kind: 'wait',
      });
      delays.push((Date.parse(session.run.next_at) - clock.ms) / 1000);
    }
    expect(delays).toEqual([2, 4, 8, 16]);
    expect(session.run).toMatchObject({ errors: 4, last_error: 'runtime down' });
    expect(await backoff.afterError(session, 'bus gone')).toEqual({
      kind: 'escalate',
      reason: 'gave up after 5 errors in a row: bus gone',
    });
    expect(session.run.errors).toBe(5);
  });
});

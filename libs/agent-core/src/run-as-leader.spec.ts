import { type FencingToken, type LeaderRun } from '@opscrew/messaging';
import { runAsLeader } from './leadership.service';

describe('runAsLeader', () => {
  it('runs the work where no election is wired: the one process leads', async () => {
    await expect(runAsLeader(null, () => Promise.resolve(7))).resolves.toEqual({
      ran: true,
      value: 7,
    });
  });

  it('leaves the decision to the election when there is one', async () => {
    let calls = 0;
    const work = (): Promise<number> => Promise.resolve(++calls);
    const standby = { runIfLeader: () => Promise.resolve({ ran: false as const }) };
    await expect(runAsLeader(standby, work)).resolves.toEqual({ ran: false });
    expect(calls).toBe(0);
    const leader = {
      runIfLeader: async <T>(w: (token: FencingToken) => Promise<T>): Promise<LeaderRun<T>> => ({
        ran: true,
        value: await w({ key: 'ops-monitor', holder: 'ops-monitor-1', term: 1, revision: 1 }),
      }),
    };
    await expect(runAsLeader(leader, work)).resolves.toEqual({ ran: true, value: 1 });
  });
});

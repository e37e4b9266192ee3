import { type LockAcquiredEvent, type LockReleasedEvent } from '@opscrew/contracts';
import { ForeignLocks } from './foreign-locks';

const acquired = (holder: string, expiresAt: string): LockAcquiredEvent =>
  ({
    service: 'checkout',
    holder,
    revision: 3,
    at: '2026-01-01T00:00:00.000Z',
    expires_at: expiresAt,
  }) as LockAcquiredEvent;
const released = (holder: string): LockReleasedEvent =>
  ({ service: 'checkout', holder, at: '2026-01-01T00:00:05.000Z' }) as LockReleasedEvent;

describe('ForeignLocks', () => {
  it('ignores our own holders', () => {
    const locks = new ForeignLocks('demo-controller:');
    expect(
      locks.acquired(acquired('demo-controller:run-1', '2026-01-01T00:01:00.000Z')),
    ).toBeNull();
    expect(locks.released(released('demo-controller:run-1'))).toBeNull();
    expect(locks.live(0)).toEqual([]);
  });

  it('keeps a foreign hold until it is released or expires', () => {
    const locks = new ForeignLocks('demo-controller:');
    const hold = locks.acquired(acquired('jira-resolver:1', '2026-01-01T00:01:00.000Z'));
    expect(hold).toMatchObject({ service: 'checkout', own: false, released: false, revision: 3 });
    expect(locks.live(Date.parse('2026-01-01T00:00:30.000Z'))).toEqual([hold]);
    expect(locks.live(Date.parse('2026-01-01T00:01:00.000Z'))).toEqual([]);
    locks.acquired(acquired('jira-resolver:1', '2026-01-01T00:01:00.000Z'));
    expect(locks.released(released('jira-resolver:1'))).toEqual({
      service: 'checkout',
      holder: 'jira-resolver:1',
      at: '2026-01-01T00:00:05.000Z',
    });
    expect(locks.live(0)).toEqual([]);
  });
});

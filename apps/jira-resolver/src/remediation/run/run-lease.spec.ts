import { SUBJECTS, type RemediationRunRecord } from '@opscrew/contracts';
import { type Lease, LeaseLostError } from '@opscrew/messaging';
import { ManualClock, RecordingPublisher } from '@opscrew/testing';
import { REMEDIATION_START } from '../testing/remediation.fakes';
import { MemorySession, runRecord } from '../testing/run-session.fixture';
import { RunLease } from './run-lease';

const hold: NonNullable<RemediationRunRecord['lease']> = {
  key: 'service.checkout',
  holder: 'resolver-a',
  revision: 4,
  acquired_at: REMEDIATION_START,
  expires_at: '2026-11-24T10:01:00.000Z',
  ttl_ms: 60_000,
};

describe('RunLease', () => {
  let clock: ManualClock;
  let publisher: RecordingPublisher;
  let renew: (lease: Lease) => Promise<Lease>;

  const lease = () =>
    new RunLease({
      leases: {
        renew: (held) => renew(held),
        release: () => Promise.resolve(true),
      },
      publisher,
      now: clock.date,
    });

  beforeEach(() => {
    clock = new ManualClock(REMEDIATION_START);
    publisher = new RecordingPublisher('jira-resolver', clock);
    renew = (held) =>
      Promise.resolve({
        ...held,
        revision: held.revision + 1,
        expires_at: '2026-11-24T10:02:00.000Z',
      });
  });

  it('renews only in the last quarter of the TTL', async () => {
    const session = new MemorySession(runRecord({ state: 'running', lease: hold }));
    expect(await lease().renew(session)).toBeNull();
    expect(session.saves).toEqual([]);
    clock.advance(46_000);
    expect(await lease().renew(session)).toBeNull();
    expect(session.run.lease).toMatchObject({
      revision: 5,
      expires_at: '2026-11-24T10:02:00.000Z',
    });
  });

  it('gives the reason to escalate when the lock was lost, and drops it from the run', async () => {
    renew = () => Promise.reject(new LeaseLostError('service.checkout', 'resolver-a', 4));
    clock.advance(50_000);
    const session = new MemorySession(runRecord({ state: 'running', lease: hold }));
    expect(await lease().renew(session)).toBe(
      'lost the lock on checkout (it expired and was taken): stopped acting',
    );
    expect(session.run.lease).toBeUndefined();
  });

  it('releases the lock and says so on the bus', async () => {
    await lease().release(new MemorySession(runRecord({ state: 'running', lease: hold })));
    expect(publisher.of(SUBJECTS.lockReleased)).toEqual([
      expect.objectContaining({ service: 'checkout', holder: 'resolver-a', revision: 4 }),
    ]);
    await lease().release(new MemorySession(runRecord({ state: 'running' })));
    expect(publisher.events).toHaveLength(1);
  });
});

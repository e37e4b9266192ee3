import { type HeartbeatRecord } from '@opscrew/contracts';
import { assessLiveness } from './agent-liveness';

const beat = (at: string): HeartbeatRecord => ({
  agent: 'ops-monitor',
  version: '0.1.0',
  pid: 42,
  at,
  started_at: '2026-11-24T09:00:00.000Z',
  uptime_s: 60,
  status: 'ok',
});
const now = new Date('2026-11-24T10:00:00.000Z');

describe('assessLiveness', () => {
  it('is alive within max_age_s', () => {
    expect(
      assessLiveness('ops-monitor', true, 120, beat('2026-11-24T09:58:30.000Z'), now),
    ).toMatchObject({
      state: 'alive',
      heartbeat_age_s: 90,
      pid: 42,
    });
  });

  it('is stale beyond max_age_s', () => {
    expect(
      assessLiveness('ops-monitor', true, 120, beat('2026-11-24T09:57:59.000Z'), now),
    ).toMatchObject({
      state: 'stale',
      heartbeat_age_s: 121,
    });
  });

  it('is never_seen without a heartbeat', () => {
    expect(assessLiveness('ops-monitor', true, 120, null, now)).toMatchObject({
      state: 'never_seen',
      heartbeat_age_s: null,
      last_heartbeat_at: null,
    });
  });

  it('treats a heartbeat from the future (clock skew) as fresh, not negative', () => {
    expect(
      assessLiveness('ops-monitor', true, 120, beat('2026-11-24T10:00:05.000Z'), now),
    ).toMatchObject({
      state: 'alive',
      heartbeat_age_s: 0,
    });
  });

  it('after a bus outage of its own, atlas counts the age of a fresh agent from reconnect', () => {
    const outage = {
      downMs: Date.parse('2026-11-24T09:59:00.000Z'),
      backMs: Date.parse('2026-11-24T09:59:13.000Z'),
    };
    // 121 s since the beat (stale by age alone), 47 s since the link came back: alive.
    expect(
      assessLiveness('ops-monitor', true, 120, beat('2026-11-24T09:57:59.000Z'), now, outage),
    ).toMatchObject({ state: 'alive', heartbeat_age_s: 121 });
  });
});

import { seededRandom } from '@opscrew/testing';
import { isStale, outageWindow, staleReferenceMs } from './staleness';

const T = 120_000;
const BASE = Date.parse('2026-11-24T10:00:00.000Z');

describe('isStale', () => {
  it('without an outage: stale once the last heartbeat is older than the threshold', () => {
    expect(isStale(BASE, T, BASE + T, null)).toBe(false);
    expect(isStale(BASE, T, BASE + T + 1, null)).toBe(true);
  });

  it('a 13 s bus restart does not make a fresh agent stale: its age counts from reconnect', () => {
    const lastBeat = BASE;
    const outage = { downMs: BASE + 100_000, backMs: BASE + 113_000 };
    expect(isStale(lastBeat, T, BASE + 121_000, outage)).toBe(false);
    expect(isStale(lastBeat, T, outage.backMs + T, outage)).toBe(false);
    expect(isStale(lastBeat, T, outage.backMs + T + 1, outage)).toBe(true);
  });

  it('an agent already stale before the link dropped stays stale (no false recovery)', () => {
    const outage = { downMs: BASE + T + 5_000, backMs: BASE + T + 18_000 };
    expect(staleReferenceMs(BASE, T, outage)).toBe(BASE);
    expect(isStale(BASE, T, outage.backMs + 1_000, outage)).toBe(true);
  });

  it('a heartbeat newer than the reconnect is its own reference', () => {
    const outage = { downMs: BASE, backMs: BASE + 10_000 };
    expect(staleReferenceMs(BASE + 30_000, T, outage)).toBe(BASE + 30_000);
  });

  it('outageWindow turns the connection service outage into epoch ms, back once every peer can be', () => {
    expect(outageWindow(null)).toBeNull();
    expect(
      outageWindow({ down: new Date(BASE), back: new Date(BASE + 13_000), settle_ms: 0 }),
    ).toEqual({ downMs: BASE, backMs: BASE + 13_000 });
    // A peer asleep in its longest reconnect backoff (10 s) is back up to 10 s after us.
    expect(
      outageWindow({ down: new Date(BASE), back: new Date(BASE + 13_000), settle_ms: 10_000 }),
    ).toEqual({ downMs: BASE, backMs: BASE + 23_000 });
  });

  describe('properties (seeded random outages)', () => {
    const random = seededRandom(11);
    const cases = Array.from({ length: 500 }, () => {
      const threshold = 1_000 + Math.floor(random() * 600_000);
      const lastBeat = BASE + Math.floor(random() * 600_000);
      // The link drops while the agent was still fresh, and comes back after up to 10 min.
      const downMs = lastBeat + Math.floor(random() * threshold);
      const backMs = downMs + Math.floor(random() * 600_000);
      return { threshold, lastBeat, outage: { downMs, backMs } };
    });

    it('no agent fresh at the drop is stale within the threshold after reconnect', () => {
      for (const { threshold, lastBeat, outage } of cases) {
        const within = outage.backMs + Math.floor(random() * (threshold + 1));
        expect(isStale(lastBeat, threshold, within, outage)).toBe(false);
      }
    });

    it('a silent agent still becomes stale threshold after reconnect', () => {
      for (const { threshold, lastBeat, outage } of cases) {
        const after = outage.backMs + threshold + 1 + Math.floor(random() * 60_000);
        expect(isStale(lastBeat, threshold, after, outage)).toBe(true);
      }
    });
  });
});

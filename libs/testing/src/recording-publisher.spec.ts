import { RecordingPublisher } from './recording-publisher';
import { ManualClock } from './manual-clock';

const report = {
  service: 'cart',
  symptom: 'high_error_rate',
  reporter: 'ci-smoke',
  dedup_key: 'key-1',
  value: 0.2,
};

describe('RecordingPublisher', () => {
  it('stores each event once per id, stamped by the clock, shared with `as()` views', async () => {
    const clock = new ManualClock('2026-11-25T03:00:00.000Z');
    const bus = new RecordingPublisher('cli', clock);
    const first = await bus.publish('incident.reported', report, { id: 'r-1' });
    const again = await bus.as('ops-monitor').publish('incident.reported', report, { id: 'r-1' });
    expect([first.duplicate, again.duplicate]).toEqual([false, true]);
    expect(bus.subjects()).toEqual(['incident.reported']);
    expect(bus.of('incident.reported')[0]?.at).toBe('2026-11-25T03:00:00.000Z');
  });

  it('refuses the next `failNext` publishes, as NATS down would', async () => {
    const bus = new RecordingPublisher('cli');
    bus.failNext = 1;
    await expect(bus.publish('incident.reported', report)).rejects.toThrow('NATS unavailable');
    await bus.publish('incident.reported', report);
    expect(bus.events).toHaveLength(1);
  });
});

import { LogCapture } from '../../../integrations/src/testing/log-capture';
import { type OutboxOptions } from './outbox-options';
import { type LanePass, OutboxWorker } from './outbox.worker';
import { outboxUnits, unitAlert, type OutboxUnits } from './testing/outbox-units';

/** A lane whose passes are counted and, when `gate` is set, wait for it. */
class CountingLane implements LanePass {
  passes = 0;
  gate: Promise<void> | null = null;
  async pass(): Promise<void> {
    this.passes += 1;
    await this.gate;
  }
}

describe('OutboxWorker', () => {
  const logs = new LogCapture();
  beforeEach(() => logs.start());
  afterEach(() => logs.stop());

  const worker = (
    overrides: Partial<OutboxOptions> = {},
  ): { units: OutboxUnits; tracker: CountingLane; notify: CountingLane; worker: OutboxWorker } => {
    const units = outboxUnits({ poll_interval_ms: 60_000, shutdown_grace_ms: 50, ...overrides });
    const tracker = new CountingLane();
    const notify = new CountingLane();
    return {
      units,
      tracker,
      notify,
      worker: new OutboxWorker(
        units.store,
        units.claims,
        tracker,
        notify,
        units.scheduler,
        units.options,
        units.logger,
      ),
    };
  };

  it('registers its poll with the scheduler, runs both lanes at start and each on its kick', async () => {
    const { units, tracker, notify, worker: w } = worker();
    w.kick();
    expect(tracker.passes + notify.passes).toBe(0); // not started: kicks do nothing
    w.start();
    expect(units.scheduler.getIntervals()).toEqual(['outbox-poll:w1']);
    await Promise.resolve();
    expect([tracker.passes, notify.passes]).toEqual([1, 1]);
    w.kickLane('notify');
    await Promise.resolve();
    expect([tracker.passes, notify.passes]).toEqual([1, 2]);
    await w.stop();
    expect(units.scheduler.getIntervals()).toEqual([]);
    expect(w.isStopping()).toBe(true);
  });

  it('on stop, waits for a pass within the grace, then hands back the claims it holds', async () => {
    const { units, tracker, worker: w } = worker({ shutdown_grace_ms: 5_000 });
    const item = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    await units.claims.claim(item);
    let finish = (): void => undefined;
    tracker.gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    w.start();
    let stopped = false;
    const stopping = w.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect((await units.read(item.key))?.state).toBe('pending');
    expect(units.store.isHalted).toBe(false);
  });

  it('abandons a pass still running after the grace: no more writes, claims released', async () => {
    const { units, tracker, worker: w } = worker({ shutdown_grace_ms: 20 });
    const item = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    await units.claims.claim(item);
    tracker.gate = new Promise<void>(() => undefined);
    w.start();
    await w.stop();
    expect(units.store.isHalted).toBe(true);
    expect(await units.read(item.key)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(logs.at('warn').join('\n')).toContain('abandoning them and releasing their claims');
  });

  it('halts like a crash: no poll, no release, nothing written', async () => {
    const { units, worker: w } = worker();
    const item = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    await units.claims.claim(item);
    w.start();
    w.halt();
    expect(units.scheduler.getIntervals()).toEqual([]);
    await w.stop();
    expect(await units.read(item.key)).toMatchObject({ state: 'sending', claimed_by: 'w1' });
    w.start();
    expect(units.scheduler.getIntervals()).toEqual([]);
  });
  it('watches the bucket while started only: stopped or halted, its scans read every key', async () => {
    for (const end of ['stop', 'halt'] as const) {
      const { units, worker: w } = worker();
      await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
      w.start();
      await units.store.scan();
      const gets = jest.spyOn(units.kv, 'get');
      await units.store.scan();
      expect(gets).not.toHaveBeenCalled();
      if (end === 'stop') await w.stop();
      else w.halt();
      gets.mockClear();
      await units.store.scan();
      expect(gets).toHaveBeenCalledTimes(1);
    }
  });
});

import { HandlerScheduler, type ScheduledJob } from './handler.scheduler';

interface Gate {
  job: ScheduledJob;
  started: boolean;
  cancelled: boolean;
  finish(): void;
}

/** A job that runs until `finish()`; records whether it started or was cancelled. */
function gate(log?: string[], name?: string): Gate {
  let release: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (release = resolve));
  const g: Gate = {
    started: false,
    cancelled: false,
    finish: () => release(),
    job: {
      run: async () => {
        g.started = true;
        if (name !== undefined) log?.push(`start ${name}`);
        await done;
        if (name !== undefined) log?.push(`end ${name}`);
      },
      cancel: () => {
        g.cancelled = true;
      },
    },
  };
  return g;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('HandlerScheduler', () => {
  it('runs at most `concurrency` jobs at once and starts the next as one finishes', async () => {
    const scheduler = new HandlerScheduler(3);
    const gates = Array.from({ length: 10 }, () => gate());
    for (const g of gates) scheduler.submit(undefined, g.job);
    await tick();
    expect(gates.filter((g) => g.started)).toHaveLength(3);
    expect(scheduler.active).toBe(3);
    expect(scheduler.size).toBe(10);
    gates[0]?.finish();
    await tick();
    expect(gates.filter((g) => g.started)).toHaveLength(4);
    expect(gates[3]?.started).toBe(true);
    for (const g of gates) g.finish();
    await scheduler.idle();
    expect(gates.every((g) => g.started)).toBe(true);
    expect(scheduler.size).toBe(0);
  });

  it('keeps stream order per key while other keys run alongside', async () => {
    const log: string[] = [];
    const scheduler = new HandlerScheduler(4);
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const b1 = gate(log, 'b1');
    const a3 = gate(log, 'a3');
    scheduler.submit('A', a1.job);
    scheduler.submit('A', a2.job);
    scheduler.submit('B', b1.job);
    scheduler.submit('A', a3.job);
    await tick();
    // Slots are free, but a2 and a3 wait for a1: same key.
    expect([a1.started, a2.started, b1.started, a3.started]).toEqual([true, false, true, false]);
    b1.finish();
    await tick();
    expect(a2.started).toBe(false);
    a1.finish();
    await tick();
    expect([a2.started, a3.started]).toEqual([true, false]);
    a2.finish();
    await tick();
    a3.finish();
    await scheduler.idle();
    expect(log.filter((l) => l.endsWith('a1') || l.endsWith('a2') || l.endsWith('a3'))).toEqual([
      'start a1',
      'end a1',
      'start a2',
      'end a2',
      'start a3',
      'end a3',
    ]);
  });

  it('cancels what has not started on shutdown; running jobs finish, and their key stays busy', async () => {
    const scheduler = new HandlerScheduler(1);
    const running = gate();
    const waitingSameKey = gate();
    const waitingOther = gate();
    scheduler.submit('A', running.job);
    scheduler.submit('A', waitingSameKey.job);
    scheduler.submit('B', waitingOther.job);
    await tick();
    scheduler.cancelPending();
    expect([running.cancelled, waitingSameKey.cancelled, waitingOther.cancelled]).toEqual([
      false,
      true,
      true,
    ]);
    expect(scheduler.size).toBe(1);
    const late = gate();
    scheduler.submit('A', late.job);
    await tick();
    expect(late.started).toBe(false); // A's running job has not finished
    running.finish();
    await tick();
    expect(late.started).toBe(true);
    late.finish();
    await scheduler.idle();
    expect([waitingSameKey.started, waitingOther.started]).toEqual([false, false]);
  });

  it('refuses a concurrency that is not a whole number ≥ 1', () => {
    expect(() => new HandlerScheduler(0)).toThrow(/concurrency must be a whole number ≥ 1, got 0/);
  });
});

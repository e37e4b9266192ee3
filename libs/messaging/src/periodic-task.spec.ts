import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  it('never runs twice at a time, and stop waits for the run in flight', async () => {
    let release: () => void = () => undefined;
    let runs = 0;
    let overlaps = 0;
    const scheduler = new SchedulerRegistry();
    const task = new PeriodicTask(
      'test',
      scheduler,
      () => {
        runs++;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      { onError: () => undefined, onOverlap: () => overlaps++ },
    );
    const first = task.run();
    const second = task.run();
    expect(second).toBe(first);
    expect([runs, overlaps]).toEqual([1, 1]);
    let stopped = false;
    const stopping = task.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('reports a failing run and keeps going', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const task = new PeriodicTask(
      'failing',
      new SchedulerRegistry(),
      () => (++calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve(calls)),
      { onError: (error) => errors.push(error) },
    );
    await expect(task.run()).resolves.toBeUndefined();
    await expect(task.run()).resolves.toBe(2);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('runs on its interval once started, and not after stop', async () => {
    jest.useFakeTimers();
    try {
      const scheduler = new SchedulerRegistry();
      let calls = 0;
      const task = new PeriodicTask('ticking', scheduler, () => Promise.resolve(++calls), {
        onError: () => undefined,
      });
      task.start(1000, false);
      expect(scheduler.doesExist('interval', 'ticking')).toBe(true);
      await jest.advanceTimersByTimeAsync(3500);
      expect(calls).toBe(3);
      await task.stop();
      await jest.advanceTimersByTimeAsync(3000);
      expect(calls).toBe(3);
      expect(scheduler.doesExist('interval', 'ticking')).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});

import { ServiceLog } from '../runtime/service.log';
import { MemoryGuard } from './memory.guard';

const MiB = 1024 * 1024;

describe('MemoryGuard', () => {
  it('is exhausted from the limit on, and recovers only under 90 % of it', () => {
    let rss = 100 * MiB;
    const lines: string[] = [];
    const guard = new MemoryGuard(
      200 * MiB,
      new ServiceLog('recommendation', (_level, line) => lines.push(line)),
      () => rss,
    );
    guard.sample();
    expect(guard.exhausted).toBe(false);
    rss = 200 * MiB;
    guard.sample();
    expect(guard.exhausted).toBe(true);
    expect(guard.describe()).toBe('memory exhausted: rss 200 MiB over the soft limit of 200 MiB');
    rss = 185 * MiB;
    guard.sample();
    expect(guard.exhausted).toBe(true);
    rss = 170 * MiB;
    guard.sample();
    expect(guard.exhausted).toBe(false);
    expect(lines).toEqual([
      expect.stringMatching(
        /ERROR recommendation: out of memory: rss 200 MiB passed the soft limit of 200 MiB/,
      ),
      expect.stringMatching(/INFO recommendation: memory back to 170 MiB/),
    ]);
  });

  it('without a limit it only reports RSS', () => {
    const guard = new MemoryGuard(null, new ServiceLog('ad', () => undefined), () => 10 * MiB);
    guard.start();
    expect(guard.rssBytes).toBe(10 * MiB);
    expect(guard.exhausted).toBe(false);
    guard.stop();
  });
});

import { GrowingCache } from './growing.cache';

describe('GrowingCache', () => {
  it('retains every entry and costs scan time in proportion, up to its cap', () => {
    const cache = new GrowingCache(1024, 5, 12);
    expect(cache.scanDelayMs()).toBe(0);
    cache.grow();
    cache.grow();
    expect(cache.size).toBe(2);
    expect(cache.retainedBytes).toBe(2048);
    expect(cache.scanDelayMs()).toBe(10);
    cache.grow();
    expect(cache.scanDelayMs()).toBe(12);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.retainedBytes).toBe(0);
  });

  it('makes the memory resident: RSS grows by about what it retains', () => {
    // 128 MiB written: the rest of a shared test worker (its GC returning tens of MiB at any
    // moment) cannot hide that, where a few MiB could drown in the noise.
    const cache = new GrowingCache(8 * 1024 * 1024, 0, 0);
    const before = process.memoryUsage.rss();
    for (let i = 0; i < 16; i++) cache.grow();
    const grown = process.memoryUsage.rss() - before;
    expect(cache.retainedBytes).toBe(128 * 1024 * 1024);
    expect(grown).toBeGreaterThan(64 * 1024 * 1024);
    cache.clear();
  });

  it('refuses a non-positive entry size', () => {
    expect(() => new GrowingCache(0, 1, 1)).toThrow(RangeError);
  });
});

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

  it('holds every byte it retains: the allocation is accounted to the process, not lazily reserved', () => {
    // Measured as the process's ArrayBuffer memory, which counts exactly what live Buffers
    // hold. RSS is the number an operator sees, but inside a shared test worker the GC returns
    // tens of MiB to the OS at any moment, so an RSS delta is noise here (CI saw 30 MiB of
    // 128 MiB); the demo's leak scenario shows the RSS growth end to end.
    const cache = new GrowingCache(8 * 1024 * 1024, 0, 0);
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 16; i++) cache.grow();
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(cache.retainedBytes).toBe(128 * 1024 * 1024);
    // A little below 128 MiB is fine: the GC may free buffers the earlier test let go meanwhile.
    expect(grown).toBeGreaterThan(120 * 1024 * 1024);
    cache.clear();
  });

  it('refuses a non-positive entry size', () => {
    expect(() => new GrowingCache(0, 1, 1)).toThrow(RangeError);
  });
});

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

  it('writes every byte it retains, so the leak is resident memory (RSS), not a lazy reservation', () => {
    // Checked on the buffers themselves: a process-wide figure (RSS, ArrayBuffer memory) inside a
    // shared test worker moves with every other test's garbage (CI saw 30 of 128 MiB), while
    // "every page written" is what makes an OS count the memory. The demo shows the RSS growth.
    const allocated: Buffer[] = [];
    const original = Buffer.allocUnsafe.bind(Buffer);
    const spy = jest.spyOn(Buffer, 'allocUnsafe').mockImplementation((size: number) => {
      const buffer = original(size);
      allocated.push(buffer);
      return buffer;
    });
    try {
      const cache = new GrowingCache(64 * 1024, 0, 0);
      for (let i = 0; i < 4; i++) cache.grow();
      expect(allocated).toHaveLength(4);
      for (const buffer of allocated) {
        expect(buffer.length).toBe(64 * 1024);
        // Every page touched: one byte in each 4 KiB page, first and last byte included.
        for (let offset = 0; offset < buffer.length; offset += 4096) {
          expect(buffer[offset]).toBe(0xa5);
        }
        expect(buffer[buffer.length - 1]).toBe(0xa5);
      }
      expect(cache.retainedBytes).toBe(4 * 64 * 1024);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a non-positive entry size', () => {
    expect(() => new GrowingCache(0, 1, 1)).toThrow(RangeError);
  });
});

import { seededRandom } from '@opscrew/testing';
import { SortedWindow } from './sorted-window';

function lowerMedian(sorted: readonly number[]): number {
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

describe('SortedWindow', () => {
  it('keeps the median, quantiles and MAD of the last `capacity` values, as a full sort would', () => {
    const next = seededRandom(7);
    for (const capacity of [1, 2, 5, 16, 33]) {
      const window = new SortedWindow(capacity);
      const all: number[] = [];
      for (let i = 0; i < 200; i++) {
        // Ties on purpose: quantised metrics repeat values all the time.
        const value = next() < 0.3 ? Math.round(next() * 4) : next() * 10;
        window.push(value);
        all.push(value);
        const current = all.slice(-capacity).sort((a, b) => a - b);
        const n = current.length;
        const median = window.median();
        const expectedMedian =
          n % 2 ? current[(n - 1) / 2] : ((current[n / 2 - 1] ?? 0) + (current[n / 2] ?? 0)) / 2;
        expect(median).toBeCloseTo(expectedMedian ?? Number.NaN, 12);
        expect(window.quantile(0)).toBe(current[0]);
        expect(window.quantile(1)).toBe(current[n - 1]);
        const deviations = current.map((x) => Math.abs(x - median)).sort((a, b) => a - b);
        expect(window.mad(median)).toBeCloseTo(lowerMedian(deviations), 12);
        expect(window.size).toBe(n);
      }
    }
  });

  it('returns its values oldest first, before and after wrapping, and rebuilds from them', () => {
    const window = new SortedWindow(3);
    window.push(5);
    window.push(1);
    expect(window.values()).toEqual([5, 1]);
    window.push(4);
    window.push(2);
    expect(window.values()).toEqual([1, 4, 2]);
    const copy = SortedWindow.of(3, [9, ...window.values()]);
    expect(copy.values()).toEqual([1, 4, 2]);
    expect(copy.median()).toBe(2);
  });

  it('is NaN when empty and refuses a capacity that is not a positive integer', () => {
    expect(new SortedWindow(4).median()).toBeNaN();
    expect(new SortedWindow(4).mad(0)).toBeNaN();
    expect(() => new SortedWindow(0)).toThrow(RangeError);
    expect(() => new SortedWindow(2.5)).toThrow(RangeError);
  });
});

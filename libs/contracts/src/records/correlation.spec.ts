import { rememberRecent } from './correlation';

describe('rememberRecent', () => {
  it('appends new items, moves a repeated one to the end, and keeps the last max', () => {
    expect(rememberRecent(undefined, ['a'])).toEqual(['a']);
    expect(rememberRecent(['a', 'b'], ['a'])).toEqual(['b', 'a']);
    expect(rememberRecent(['a', 'b'], [undefined, 'c'], 2)).toEqual(['b', 'c']);
  });

  it('is idempotent: merging the same items again changes nothing', () => {
    const once = rememberRecent(['x', 'y'], ['y', 'z'], 3);
    expect(rememberRecent(once, ['y', 'z'], 3)).toEqual(once);
  });

  it('never exceeds its bound, whatever comes in', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `k${i % 30}`);
    const kept = rememberRecent([], keys, 20);
    expect(kept).toHaveLength(20);
    expect(new Set(kept).size).toBe(20);
    expect(kept.at(-1)).toBe('k19');
  });
});

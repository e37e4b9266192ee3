import { categoryOf, scoreCategories } from './nab-categories';

const STANDARD = { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 };

describe('NAB per-category scores', () => {
  it('a file’s category is its folder', () => {
    expect(categoryOf('realTweets/Twitter_volume_KO.csv')).toBe('realTweets');
    expect(categoryOf('loose.csv')).toBe('');
  });

  it('normalises each category over its own windows: null 0, perfect 100', () => {
    const windows = new Map([
      ['a/one.csv', 2],
      ['a/two.csv', 0],
      ['b/three.csv', 1],
      ['c/none.csv', 0],
    ]);
    // a: both windows caught early (2) minus one FP (0.11) → (1.89 + 2) / 4; b: missed (−1) → 0.
    const scores = scoreCategories(
      { 'a/one.csv': 2, 'a/two.csv': -0.11, 'b/three.csv': -1, 'c/none.csv': 0 },
      windows,
      STANDARD,
    );
    expect(scores).toEqual({ a: 97.25, b: 0, c: null });
  });

  it('a file the scorer left out counts as every window missed', () => {
    expect(scoreCategories({}, new Map([['a/one.csv', 3]]), STANDARD)).toEqual({ a: 0 });
  });
});

import { ELLIPSIS, truncate } from './truncate';

describe('truncate', () => {
  it('cuts with an ellipsis to the exact limit and never splits a surrogate pair', () => {
    expect(truncate('abcdef', 4)).toBe(`abc${ELLIPSIS}`);
    expect(truncate('abc', 3)).toBe('abc');
    const emoji = '😀😀😀';
    const cut = truncate(emoji, 4);
    expect(cut.length).toBeLessThanOrEqual(4);
    expect(cut).toBe(`😀${ELLIPSIS}`);
  });
});

import { DeadLetterSampler } from './dead-letter.sampler';

describe('DeadLetterSampler', () => {
  const options = { window_ms: 60_000, stored_per_window: 3 };

  it('stores the first few of a key per window and counts the rest until the window ends', () => {
    let now = 0;
    const sampler = new DeadLetterSampler<number>(options, () => now);
    const verdicts = Array.from({ length: 10 }, (_, i) => sampler.admit('schema|incident', i));
    expect(verdicts).toEqual([true, true, true, false, false, false, false, false, false, false]);
    now = 59_999;
    expect(sampler.due()).toEqual([]);
    now = 60_000;
    expect(sampler.due()).toEqual([{ key: 'schema|incident', count: 7, last: 9 }]);
    expect(sampler.due()).toEqual([]); // each tally once
    // A new window stores again.
    expect(sampler.admit('schema|incident', 10)).toBe(true);
  });

  it('keeps keys apart and reports a window that ended when its key comes back', () => {
    let now = 0;
    const sampler = new DeadLetterSampler<string>(options, () => now);
    for (let i = 0; i < 5; i++) sampler.admit('a', `a${i}`);
    expect(sampler.admit('b', 'b0')).toBe(true);
    now = 61_000;
    expect(sampler.admit('a', 'a5')).toBe(true); // new window for a
    expect(sampler.due()).toEqual([{ key: 'a', count: 2, last: 'a4' }]);
  });

  it('hands over every open tally at shutdown, and nothing for keys that stored all', () => {
    const sampler = new DeadLetterSampler<string>(options, () => 0);
    for (let i = 0; i < 4; i++) sampler.admit('a', `a${i}`);
    sampler.admit('b', 'b0');
    expect(sampler.due(true)).toEqual([{ key: 'a', count: 1, last: 'a3' }]);
  });
});

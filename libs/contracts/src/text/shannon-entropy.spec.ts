import { shannonEntropy } from './shannon-entropy';

describe('shannonEntropy', () => {
  it('is 0 for empty or one repeated character, log2(n) for n distinct characters', () => {
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('aaaaaaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBeCloseTo(2);
    expect(shannonEntropy('0123456789abcdef')).toBeCloseTo(4);
  });

  it('separates a random token from an identifier', () => {
    expect(shannonEntropy('Q1w2E3r4T5y6U7i8O9p0aZ')).toBeGreaterThan(3.5);
    expect(shannonEntropy('checkout_latency_seconds')).toBeLessThan(3.5);
  });
});

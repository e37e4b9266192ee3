import { shannonEntropy } from './shannon-entropy';

describe('shannonEntropy', () => {
  it('is 0 for empty or one repeated character, log2(n) for n distinct characters', () => {
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('aaaaaaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBeCloseTo(2);
    expect(shannonEntropy('0123456789abcdef')).toBeCloseTo(4);
  });

  it('ranks a random token above identifiers (which can still pass 3.5: the scrubber also wants mixed case and digits)', () => {
    const random = shannonEntropy('Q1w2E3r4T5y6U7i8O9p0aZ');
    expect(random).toBeGreaterThan(4);
    expect(random).toBeGreaterThan(shannonEntropy('checkout_latency_seconds'));
    expect(shannonEntropy('cart.error_rate')).toBeLessThan(3.5);
  });
});

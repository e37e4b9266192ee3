import { LatencySampler } from './latency.sampler';

/** A small deterministic generator (mulberry32) so the distribution test is repeatable. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('LatencySampler', () => {
  it('spreads around the median with a p99 of two to four times it', () => {
    const sampler = new LatencySampler(20, seeded(42));
    const samples = Array.from({ length: 20_000 }, () => sampler.sampleMs()).sort((a, b) => a - b);
    const at = (q: number): number => samples[Math.floor(q * samples.length)] ?? 0;
    expect(at(0.5)).toBeGreaterThan(18);
    expect(at(0.5)).toBeLessThan(22);
    expect(at(0.99)).toBeGreaterThan(40);
    expect(at(0.99)).toBeLessThan(80);
    expect(samples[0]).toBeGreaterThan(0);
  });

  it('a zero median is no latency at all', () => {
    expect(new LatencySampler(0).sampleMs()).toBe(0);
  });
});

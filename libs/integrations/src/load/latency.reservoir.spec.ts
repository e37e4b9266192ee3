import { seededRandom } from '@opscrew/testing';
import { LatencyReservoir } from './latency.reservoir';

describe('LatencyReservoir', () => {
  it('keeps exact percentiles below its capacity and a bounded sample above it', () => {
    const reservoir = new LatencyReservoir(1000, seededRandom(7));
    for (let i = 1; i <= 100; i++) reservoir.add(i);
    expect(reservoir.percentiles([0.5, 0.95, 0.99, 1])).toEqual([50, 95, 99, 100]);
    for (let i = 0; i < 100_000; i++) reservoir.add(i % 1000);
    expect(reservoir.size).toBe(1000);
    expect(reservoir.count).toBe(100_100);
    // Uniform 0..999: the sampled median is near 500.
    expect(Math.abs(reservoir.percentile(0.5) - 500)).toBeLessThan(60);
    reservoir.reset();
    expect(reservoir.percentile(0.99)).toBe(0);
  });
});

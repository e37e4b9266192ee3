import {
  coreSecondsPerSecondToPercent,
  epochMsToNanosString,
  millisecondsToMs,
  msToNanoseconds,
  nanosecondsToMs,
  percentToRatio,
  secondsToMs,
} from './metric-units';

describe('metric units', () => {
  it('SigNoz durations are nanoseconds: 600 000 000 ns is 600 ms (not 600 000)', () => {
    expect(nanosecondsToMs(600_000_000)).toBe(600);
    expect(nanosecondsToMs(1_500)).toBe(0.0015);
    expect(msToNanoseconds(600)).toBe(600_000_000);
  });

  it('SigNoz errorRate is a percentage: 5 is a ratio of 0.05', () => {
    expect(percentToRatio(5)).toBe(0.05);
    expect(percentToRatio(100)).toBe(1);
  });

  it('Prometheus histograms are seconds; *_milliseconds stay ms', () => {
    expect(secondsToMs(0.45)).toBe(450);
    expect(millisecondsToMs(25)).toBe(25);
  });

  it('CPU seconds per second is a share of one core', () => {
    expect(coreSecondsPerSecondToPercent(0.25)).toBe(25);
  });

  it('epoch ms → exact ns strings beyond float64 integers', () => {
    expect(epochMsToNanosString(1_740_823_200_123)).toBe('1740823200123000000');
    expect(Number.isSafeInteger(1_740_823_200_123 * 1e6)).toBe(false);
  });
});

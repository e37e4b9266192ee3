import { TrendTracker } from './trend.tracker';

function runs(tracker: TrendTracker, values: readonly number[]): number[] {
  return values.map((value) => tracker.update(value));
}

describe('TrendTracker', () => {
  it('counts cycles of at least +10 % in a row and holds once there are 4', () => {
    const tracker = new TrendTracker(0.1, 4);
    expect(runs(tracker, [100, 110, 121, 133.1])).toEqual([0, 1, 2, 3]);
    expect(tracker.sustained).toBe(false);
    expect(runs(tracker, [146.41])).toEqual([4]);
    expect(tracker.sustained).toBe(true);
  });

  it('breaks the run on a flat or smaller step', () => {
    const tracker = new TrendTracker(0.1, 4);
    expect(runs(tracker, [100, 110, 121, 125, 140])).toEqual([0, 1, 2, 0, 1]);
  });

  it('treats a step larger than the whole awaited rise as a jump, not a creep', () => {
    // (1.1)^4 − 1 ≈ 46 %: a +60 % step belongs to the spike and shift detectors.
    const tracker = new TrendTracker(0.1, 4);
    expect(runs(tracker, [100, 110, 176, 194, 214])).toEqual([0, 1, 0, 1, 2]);
  });

  it('never counts a rise from 0 (no ratio), e.g. an idle disk starting a burst', () => {
    const tracker = new TrendTracker(0.1, 2);
    expect(runs(tracker, [0, 5, 6, 7])).toEqual([0, 0, 1, 2]);
  });

  it('continues from its JSON state', () => {
    const tracker = new TrendTracker(0.1, 4);
    runs(tracker, [100, 110, 121]);
    const copy = new TrendTracker(0.1, 4, tracker.toJSON());
    expect(copy.update(133.1)).toBe(3);
  });
});

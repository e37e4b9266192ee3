import { MANUAL_CLOCK_START, ManualClock } from './manual-clock';

describe('ManualClock', () => {
  it('starts where told and moves only on advance, in every shape', () => {
    const clock = new ManualClock('2026-11-24T10:00:00.000Z');
    const { now, date, iso } = clock; // bound: handed over as plain functions
    clock.advance(1500);
    expect(now()).toBe(Date.parse('2026-11-24T10:00:01.500Z'));
    expect(date()).toEqual(new Date('2026-11-24T10:00:01.500Z'));
    expect(iso()).toBe('2026-11-24T10:00:01.500Z');
    expect(new ManualClock().iso()).toBe(MANUAL_CLOCK_START);
  });

  it('refuses an invalid start and a backward step, naming them', () => {
    expect(() => new ManualClock('yesterday')).toThrow(/ManualClock: start "yesterday"/);
    expect(() => new ManualClock().advance(-1)).toThrow(/advance: step -1 ms/);
  });
});

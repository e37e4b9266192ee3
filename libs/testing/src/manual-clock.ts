import { type Clock } from '@opscrew/messaging';

/** The instant a ManualClock starts at unless told otherwise. */
export const MANUAL_CLOCK_START = '2025-01-31T12:00:00.000Z';

/**
 * A clock that moves only when the test says so. One double for every clock the code takes:
 * `now` is the messaging `Clock` (epoch ms), `date` and `iso` serve code that wants a Date or
 * a timestamp. The methods are bound, so `{ now: clock.now }` can be handed over as is.
 */
export class ManualClock implements Clock {
  /** The current instant, epoch ms (public: a test may set it outright). */
  ms: number;

  constructor(start: number | string = MANUAL_CLOCK_START) {
    this.ms = typeof start === 'number' ? start : Date.parse(start);
    if (!Number.isFinite(this.ms)) {
      throw new Error(`ManualClock: start ${JSON.stringify(start)} is not a valid instant`);
    }
  }

  readonly now = (): number => this.ms;
  readonly date = (): Date => new Date(this.ms);
  readonly iso = (): string => new Date(this.ms).toISOString();

  /** Moves the clock forward (a negative step is refused: time does not run back here). */
  readonly advance = (ms: number): void => {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new Error(`ManualClock.advance: step ${ms} ms must be a finite number >= 0`);
    }
    this.ms += ms;
  };
}

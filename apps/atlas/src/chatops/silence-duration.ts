/** The shortest window worth opening: anything shorter ends before the next detection cycles. */
export const MIN_SILENCE_MS = 60_000;
/** The longest window (MAX_SILENCE_MS in the store): a forgotten silence must not hide a service for good. */
export const MAX_SILENCE_DURATION_MS = 7 * 24 * 60 * 60 * 1000;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const UNIT_NAMES = { m: 'minute', h: 'hour', d: 'day' } as const;
/** One whole number (no sign, no leading zero, at most 5 digits) and one unit. */
const DURATION_PATTERN = /^([1-9][0-9]{0,4})([mhd])$/;

/** A duration a human typed that is not one: the message says what was wrong and what is accepted. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
}

/**
 * `/silence`'s duration: a whole number and a unit, `30m`, `2h`, `1d` — nothing else (no
 * spaces, no decimals, no combined `1h30m`, no sign, no bare number: a typo must not open a
 * window of a surprising length). From 1 minute to 7 days. Returns milliseconds.
 */
export function parseSilenceDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  const shown = JSON.stringify(text.length > 20 ? `${text.slice(0, 20)}…` : text);
  if (match === null)
    throw new DurationError(
      `duration ${shown} is not a duration: write a whole number and a unit, m (minutes), h (hours) or d (days), e.g. 30m, 2h, 1d`,
    );
  const amount = Number(match[1]);
  const unit = match[2] as keyof typeof UNIT_MS;
  const ms = amount * UNIT_MS[unit];
  if (ms < MIN_SILENCE_MS || ms > MAX_SILENCE_DURATION_MS)
    throw new DurationError(
      `duration ${shown} is out of range: from 1m to 7d (${amount} ${UNIT_NAMES[unit]}${amount === 1 ? '' : 's'} asked)`,
    );
  return ms;
}

/** `2 h`, `1 d 6 h`, `45 min`: a window's length for a reply. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [
    ...(days > 0 ? [`${days} d`] : []),
    ...(hours > 0 ? [`${hours} h`] : []),
    ...(rest > 0 ? [`${rest} min`] : []),
  ];
  return parts.length > 0 ? parts.join(' ') : '0 min';
}

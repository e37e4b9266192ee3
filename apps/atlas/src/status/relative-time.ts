/**
 * "2 min ago" / "in 4 min": coarse on purpose, a person glancing at the page wants the order of
 * magnitude; the exact instant is in the element's title (UTC ISO).
 */
export function relativeTime(atMs: number, nowMs: number): string {
  if (!Number.isFinite(atMs)) return 'unknown';
  const deltaS = Math.round((nowMs - atMs) / 1000);
  const span = duration(Math.abs(deltaS));
  if (Math.abs(deltaS) < 1) return 'just now';
  return deltaS > 0 ? `${span} ago` : `in ${span}`;
}

/** A non-negative number of seconds as the largest sensible unit: 45 s, 12 min, 3 h 5 min, 2 d. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  }
  const days = Math.floor(hours / 24);
  const restH = hours % 24;
  return restH === 0 ? `${days} d` : `${days} d ${restH} h`;
}

import { CORRELATION_MAX_ITEMS } from '../events/incident.events';

/**
 * `list` with `items` remembered: each one moved to the end (most recent last), duplicates
 * dropped, only the last `max` kept. The fingerprint index and the ledger both keep their
 * reporters and dedup keys this way, so merging the same update twice (a redelivery) or two
 * updates out of order never grows a list past its bound nor loses the newest key.
 */
export function rememberRecent(
  list: readonly string[] | undefined,
  items: readonly (string | undefined)[],
  max: number = CORRELATION_MAX_ITEMS,
): string[] {
  const merged = [...(list ?? [])];
  for (const item of items) {
    if (item === undefined) continue;
    const at = merged.indexOf(item);
    if (at !== -1) merged.splice(at, 1);
    merged.push(item);
  }
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

import { INCIDENT_ID_PATTERN, type IncidentRecord } from '@opscrew/contracts';
import { type IncidentPosition } from '@opscrew/incident';
import { type CorrelationFilter, matchesCorrelation, newestFirst } from '@opscrew/messaging';

/** Incidents per page when `?limit` is absent: a screenful, and a small answer under load. */
export const INCIDENT_PAGE_DEFAULT = 50;
/** The most one request may ask for: bounds the work (and the JSON) of a single answer. */
export const INCIDENT_PAGE_MAX = 500;

/** Where a page starts: strictly after this incident in the listing order (newest first). */
export type PagePosition = IncidentPosition;

export interface IncidentPage {
  readonly items: IncidentRecord[];
  /** Pass as `?cursor=` for the next page; null on the last page. */
  readonly next_cursor: string | null;
}

/** A bad query parameter: the message names it (the controller answers 400 with it). */
export class PageQueryError extends Error {
  override readonly name = 'PageQueryError';
}

/** `?limit`: absent → the default; else a whole number 1..INCIDENT_PAGE_MAX, given once. */
export function parseLimit(raw: unknown): number {
  if (raw === undefined) return INCIDENT_PAGE_DEFAULT;
  const text = typeof raw === 'string' ? raw : undefined;
  const value = text !== undefined && /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < 1 || value > INCIDENT_PAGE_MAX) {
    throw new PageQueryError(
      `?limit: must be given once, as a whole number from 1 to ${INCIDENT_PAGE_MAX} ` +
        `(got ${JSON.stringify(raw).slice(0, 40)})`,
    );
  }
  return value;
}

/**
 * The cursor is opaque to clients (base64url of the last listed incident's detection time and
 * id): the listing order may change its key later without breaking a client that follows it.
 */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(`${position.detected_at}|${position.incident_id}`, 'utf8').toString(
    'base64url',
  );
}

/** `?cursor`: absent → the first page; else a cursor this API handed out. */
export function parseCursor(raw: unknown): PagePosition | null {
  if (raw === undefined) return null;
  const refuse = (): never => {
    throw new PageQueryError(
      '?cursor: must be given once, as the X-Next-Cursor of a previous /incidents answer',
    );
  };
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 200) return refuse();
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) return refuse();
  const [detectedAt, incidentId, ...rest] = Buffer.from(raw, 'base64url')
    .toString('utf8')
    .split('|');
  if (
    rest.length > 0 ||
    detectedAt === undefined ||
    incidentId === undefined ||
    Number.isNaN(Date.parse(detectedAt)) ||
    !INCIDENT_ID_PATTERN.test(incidentId)
  ) {
    return refuse();
  }
  return { detected_at: detectedAt, incident_id: incidentId };
}

/**
 * One page of `sorted` (already in newestFirst order): the incidents matching the filter that
 * come after `after`, at most `limit`, and the cursor of the next page when there is more.
 */
export function pageOf(
  sorted: readonly IncidentRecord[],
  filter: CorrelationFilter,
  limit: number,
  after: PagePosition | null,
): IncidentPage {
  let index = after === null ? 0 : firstAfter(sorted, after);
  const items: IncidentRecord[] = [];
  for (; index < sorted.length && items.length < limit; index++) {
    const record = sorted[index] as IncidentRecord;
    if (matchesCorrelation(record, filter)) items.push(record);
  }
  let more = false;
  for (; index < sorted.length && !more; index++) {
    more = matchesCorrelation(sorted[index] as IncidentRecord, filter);
  }
  const last = items[items.length - 1];
  return {
    items,
    next_cursor: more && last !== undefined ? encodeCursor(last) : null,
  };
}

/** Binary search: the index of the first record strictly after `position` in newestFirst order. */
function firstAfter(sorted: readonly IncidentRecord[], position: PagePosition): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (newestFirst(position, sorted[middle] as IncidentRecord) < 0) high = middle;
    else low = middle + 1;
  }
  return low;
}

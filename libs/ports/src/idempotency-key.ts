import { createHash } from 'node:crypto';

/**
 * Trackers have no idempotency keys, so adapters store ours. Keys like
 * `ticket:INC-20250131-001` contain characters neither KV keys nor Jira labels
 * accept, so they are stored as a hash: 96 bits (24 hex) make a collision
 * among a deployment's tickets practically impossible; the full key is kept
 * beside it wherever there is room.
 */
export function idempotencyHash(key: string, hexLength = 24): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, hexLength);
}

/** The Jira label carrying a ticket's idempotency key: `opscrew-idem-<24 hex>`. */
export function idempotencyLabel(key: string): string {
  return `${IDEMPOTENCY_LABEL_PREFIX}${idempotencyHash(key)}`;
}

export const IDEMPOTENCY_LABEL_PREFIX = 'opscrew-idem-';
/** The Jira label carrying the incident id, so a ticket read back knows its incident. */
export const INCIDENT_LABEL_PREFIX = 'opscrew-incident-';

/**
 * A label as Jira accepts it: no whitespace (Jira splits on it), at most 255
 * characters; other characters are kept (labels are shown as text, not parsed).
 */
export function labelToken(value: string): string {
  return value
    .normalize('NFKC')
    .replace(/[\s\p{C}]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 255);
}

/** A marker line a comment ends with, so a retried comment is recognised: `opscrew ref <hash>`. */
export function commentMarker(idempotencyKey: string): string {
  return `opscrew ref ${idempotencyHash(idempotencyKey)}`;
}

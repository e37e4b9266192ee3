import { Logger } from '@nestjs/common';
import { type FingerprintRecord, SUBJECTS } from '@opscrew/contracts';
import { type EventPublisher, type IncidentLedger } from '@opscrew/messaging';
import { displayFingerprint } from './fingerprint-record';
import { type FingerprintStore } from './fingerprint.store';
import { detectedEvent, detectedEventId, updatedEvent, updatedEventId } from './incident-events';
import { type IncidentAnnouncer } from './sighting';

/**
 * An index entry left unannounced this long lost its opener (a crash): whoever
 * sees it next completes the opening. Younger ones are still being opened.
 */
export const STALE_OPENING_MS = 30_000;

/** The entry's opening was abandoned (its opener crashed): the next one to see it completes it. */
export function isAbandonedOpening(
  record: Pick<FingerprintRecord, 'opened_at'>,
  now: Date,
): boolean {
  return now.getTime() - Date.parse(record.opened_at) >= STALE_OPENING_MS;
}

export interface IncidentOpenerPorts {
  readonly store: FingerprintStore;
  readonly ledger: Pick<IncidentLedger, 'open'>;
  readonly publisher: Pick<EventPublisher, 'publish'>;
  readonly announcer: IncidentAnnouncer;
}

/**
 * Finishes the opening of an incident whose index entry is written (announced: false), in an
 * order that survives a crash at any point: ledger → `incident.detected` (deterministic Msg-Id)
 * → announcer → announced: true. Every step before the mark is idempotent, so an opening a
 * crash interrupted is completed by repeating it (`finishPending`, or the next sighting).
 * Also publishes `incident.updated`, the one other event of the index.
 */
export class IncidentOpener {
  // The log lines keep the name operators know them by.
  private readonly logger = new Logger('IncidentManager');

  constructor(private readonly ports: IncidentOpenerPorts) {}

  async announce(key: string, record: FingerprintRecord, revision: number): Promise<void> {
    const { store, ledger, publisher, announcer } = this.ports;
    const published = await publisher.publish(SUBJECTS.incidentDetected, detectedEvent(record), {
      id: detectedEventId(record),
      at: record.opened_at,
    });
    await ledger.open(published.event);
    if (!record.informational) await announcer.opened(record);
    // Marked last: a crash before this line repeats only idempotent steps.
    const marked = await store.markAnnounced(key, record, revision);
    if (marked === null) return;
    this.logger.log(
      `opened ${record.incident_id}: ${displayFingerprint(record)} (${record.severity}) — ${record.detail}`,
    );
    // Sightings folded while the opening was in flight (another replica, a crash) published
    // nothing: the ledger opened at count 1 learns their count now.
    if (marked.value.count > 1)
      await this.publishUpdate(
        marked.value,
        `${marked.value.severity}: ${marked.value.detail}`,
        false,
      );
  }

  /** Completes openings a crash interrupted (index written, not yet announced). */
  async finishPending(): Promise<number> {
    let finished = 0;
    for (const item of await this.ports.store.values()) {
      if (item.value.announced) continue;
      await this.announce(item.key, item.value, item.revision);
      finished++;
    }
    return finished;
  }

  /** `incident.updated` with the record's state: count, values, severity, correlation. */
  async publishUpdate(record: FingerprintRecord, note: string, reopen: boolean): Promise<void> {
    await this.ports.publisher.publish(
      SUBJECTS.incidentUpdated,
      updatedEvent(record, note, reopen),
      { id: updatedEventId(record) },
    );
  }
}

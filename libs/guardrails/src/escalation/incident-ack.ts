import { type EscalationConfig } from '@opscrew/config';
import {
  type EscalationRecord,
  IncidentRecord,
  type IncidentUpdatedEvent,
  KV_BUCKETS,
  type PayloadOf,
  SUBJECTS,
  errorMessage,
} from '@opscrew/contracts';
import { incidentIdentity, isIncidentId, termOf } from '@opscrew/incident';
import {
  type EventPublisher,
  IncidentLedger,
  type KvFactory,
  type PublishOptions,
} from '@opscrew/messaging';
import { type AuditSink } from '@opscrew/ports';
import { openEscalationKv } from './escalation-bucket';
import { escalationKeys } from './escalation-message.builder';
import { type EscalationLogger } from './escalation.ports';
import { EscalationService } from './escalation.service';

/**
 * Who acknowledged lands in the ledger, the audit log and the escalation
 * record: a short token (a login or a chat handle), never free text.
 */
export const ACKER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Whether `id` may be acked at all: an incident id, checked before it reaches a bucket key. */
export function isAckableIncidentId(id: string): boolean {
  return isIncidentId(id);
}

/** Whether the ledger heard of the ack (it hears through `incident.updated`). */
export type LedgerNotice =
  | { readonly told: true }
  | { readonly told: false; readonly reason: 'not-in-ledger' | 'not-acked' }
  | { readonly told: false; readonly reason: 'publish-failed'; readonly error: string };

export type IncidentAckResult =
  /** Resolved before any escalation opened: nothing to stop. */
  | { readonly outcome: 'resolved-without-escalation' }
  /** Neither an escalation nor a ledger entry: nobody knows this incident. */
  | { readonly outcome: 'unknown' }
  /** Stopped now, at `level`. */
  | {
      readonly outcome: 'acked';
      readonly level: string;
      readonly record: EscalationRecord;
      readonly ledger: LedgerNotice;
    }
  /** Already closed (acked, resolved or exhausted) before this call. */
  | {
      readonly outcome: 'not-escalating';
      readonly record: EscalationRecord;
      readonly ledger: LedgerNotice;
    };

/** What the ack needs of the bus: EventPublisher fits. */
export interface IncidentUpdatePublisher {
  publish(
    subject: typeof SUBJECTS.incidentUpdated,
    payload: PayloadOf<IncidentUpdatedEvent>,
    options: PublishOptions,
  ): Promise<unknown>;
}

export interface IncidentAckDependencies {
  readonly ledger: Pick<IncidentLedger, 'get'>;
  readonly escalations: Pick<EscalationService, 'get' | 'ack'>;
  readonly publisher: IncidentUpdatePublisher;
}

/**
 * A person takes an incident: its escalation chain stops (no further pages)
 * and the ledger records the ack through `incident.updated`. The one core
 * behind `opscrew incident ack` and the MCP tool `ack_incident`; callers
 * validate `incidentId` (isAckableIncidentId) and `by` (ACKER_PATTERN) first.
 */
export async function acknowledgeIncident(
  deps: IncidentAckDependencies,
  incidentId: string,
  by: string,
): Promise<IncidentAckResult> {
  const incident = await deps.ledger.get(incidentId);
  const known = await deps.escalations.get(incidentId);
  if (known === null && incident?.phase === 'resolved') {
    return { outcome: 'resolved-without-escalation' };
  }
  const result = await deps.escalations.ack(
    incidentId,
    by,
    incident === null ? undefined : incidentIdentity(incident),
  );
  if (result.outcome === 'unknown') return { outcome: 'unknown' };
  const ledger = await tellLedger(deps.publisher, incident, result.record);
  return result.outcome === 'closed'
    ? { outcome: 'acked', level: result.level, record: result.record, ledger }
    : { outcome: 'not-escalating', record: result.record, ledger };
}

async function tellLedger(
  publisher: IncidentUpdatePublisher,
  incident: IncidentRecord | null,
  record: EscalationRecord,
): Promise<LedgerNotice> {
  if (incident === null) return { told: false, reason: 'not-in-ledger' };
  if (record.state !== 'acked' || record.closed_by === undefined) {
    return { told: false, reason: 'not-acked' };
  }
  // Also after a repeated ack: the same event id, so a first run that failed here is healed
  // and a successful one is not doubled (the stream and the ledger both dedupe by id).
  try {
    await publisher.publish(
      SUBJECTS.incidentUpdated,
      {
        incident_id: incident.incident_id,
        fingerprint: incident.fingerprint,
        note: `acknowledged by ${record.closed_by} (escalation stopped at ${record.level})`,
      },
      {
        id: escalationKeys.ackUpdate(incident.incident_id, termOf(record)),
        ...(record.closed_at ? { at: record.closed_at } : {}),
      },
    );
    return { told: true };
  } catch (error) {
    return { told: false, reason: 'publish-failed', error: errorMessage(error) };
  }
}

export interface IncidentAckWiring {
  readonly factory: KvFactory;
  readonly publisher: EventPublisher;
  /** Where the engine's `escalation.acked` entry goes. */
  readonly audit: AuditSink;
  /** `thresholds.escalation` of the loaded config. */
  readonly config: EscalationConfig;
  readonly logger: EscalationLogger;
}

/**
 * The ack's dependencies over a connected, provisioned bus. The escalation
 * engine here never ticks and never pages: an ack only closes the record.
 */
export async function openIncidentAck(wiring: IncidentAckWiring): Promise<IncidentAckDependencies> {
  const ledger = new IncidentLedger(
    await wiring.factory.open(KV_BUCKETS.incidents, { class: IncidentRecord }),
  );
  const escalations = new EscalationService({
    kv: await openEscalationKv(wiring.factory),
    outbox: { enqueue: () => Promise.reject(new Error('an incident ack does not page')) },
    publisher: wiring.publisher,
    audit: wiring.audit,
    config: wiring.config,
    logger: wiring.logger,
  });
  return { ledger, escalations, publisher: wiring.publisher };
}

import { type HeartbeatSource, outageWindow } from '@opscrew/agent-core';
import { type OpscrewConfig } from '@opscrew/config';
import { type IncidentRecord, OutboxItemRecord, validatePlain } from '@opscrew/contracts';
import { itemKey } from '@opscrew/guardrails';
import { ticketKey } from '@opscrew/incident';
import { type IncidentLedger, type NatsConnectionService } from '@opscrew/messaging';
import { type KV } from 'nats';
import { type AgentLiveness } from '../liveness/agent-liveness';
import { livenessSnapshot } from '../liveness/liveness-snapshot';

/** An incident's ticket as the outbox knows it. */
export type TicketState =
  | { readonly state: 'created'; readonly key: string }
  | { readonly state: 'pending' }
  | { readonly state: 'failed' }
  | { readonly state: 'none' };

/** What /status and /incident read: fresh from the buckets on every command. */
export interface ChatCrewSources {
  liveness(): Promise<AgentLiveness[]>;
  /** Every incident in the ledger, newest first. */
  incidents(): Promise<IncidentRecord[]>;
  incident(id: string): Promise<IncidentRecord | null>;
  ticketOf(incidentId: string): Promise<TicketState>;
}

/** Nest token of atlas's ChatCrewSources. */
export const CHAT_CREW_SOURCES = Symbol('CHAT_CREW_SOURCES');

export interface BusCrewSourcesWiring {
  /** Every replica's last heartbeat (atlas's board, the one GET /agents reads). */
  readonly heartbeats: HeartbeatSource;
  readonly ledger: Pick<IncidentLedger, 'list' | 'get'>;
  /** The raw `outbox` bucket: an incident's ticket is its delivered `ticket.create` item. */
  readonly outbox: Pick<KV, 'get'>;
  readonly config: Pick<OpscrewConfig, 'agents'>;
  readonly bus: Pick<NatsConnectionService, 'lastOutage'>;
}

/** The sources over atlas's bus: the same reads as GET /agents, GET /incidents/:id. */
export function busCrewSources(wiring: BusCrewSourcesWiring): ChatCrewSources {
  return {
    liveness: () =>
      livenessSnapshot(
        wiring.heartbeats,
        wiring.config.agents,
        new Date(),
        outageWindow(wiring.bus.lastOutage()),
      ),
    incidents: () => wiring.ledger.list(),
    incident: (id) => wiring.ledger.get(id),
    async ticketOf(incidentId) {
      const entry = await wiring.outbox.get(itemKey('ticket.create', ticketKey(incidentId)));
      if (entry === null || entry.operation !== 'PUT') return { state: 'none' };
      let raw: unknown;
      try {
        raw = entry.json();
      } catch {
        return { state: 'none' };
      }
      const item = validatePlain(OutboxItemRecord, raw);
      if (!item.ok) return { state: 'none' };
      if (item.value.state === 'delivered' && item.value.result_ref !== undefined)
        return { state: 'created', key: item.value.result_ref };
      if (item.value.state === 'failed') return { state: 'failed' };
      return { state: 'pending' };
    },
  };
}

import { HeartbeatBoard, type HeartbeatSource } from '@opscrew/agent-core';
import { type OpscrewConfig } from '@opscrew/config';
import { HeartbeatRecord, IncidentRecord, KV_BUCKETS, LeaseRecord } from '@opscrew/contracts';
import { type EscalationLogger, openIncidentAck } from '@opscrew/guardrails';
import {
  type EventPublisher,
  IncidentLedger,
  type KvFactory,
  type NatsConnectionService,
} from '@opscrew/messaging';
import { type AuditSink } from '@opscrew/ports';
import { CrewStateReader } from './crew-state.reader';
import { type CrewTool } from './crew-tool';
import { ACK_TOOL_NAME, crewTools } from './crew-mcp.tools';

export interface CrewMcpWiring {
  /** A connected, provisioned bus's buckets. */
  readonly factory: KvFactory;
  /** Publishes the ack's `incident.updated` (only used when acks are allowed). */
  readonly publisher: EventPublisher;
  readonly config: Pick<OpscrewConfig, 'agents' | 'mcp_server' | 'thresholds'>;
  /** Where the escalation engine records an ack (the MCP server audits each call itself). */
  readonly audit: AuditSink;
  readonly logger: EscalationLogger;
  /** atlas's heartbeat board (shared with /agents); absent (`opscrew mcp`): one of its own. */
  readonly heartbeats?: HeartbeatSource;
  /** atlas's bus link: agent ages after its outage count from the reconnect (see isStale). */
  readonly bus?: Pick<NatsConnectionService, 'lastOutage'>;
}

/** The tools a server offers, and the ones the config withholds (named in a refusal). */
export interface CrewMcpTools {
  readonly tools: readonly CrewTool[];
  readonly withheld: Readonly<Record<string, string>>;
}

/** The crew's MCP tools over the bus: the same for atlas's /mcp and `opscrew mcp`. */
export async function openCrewMcpTools(wiring: CrewMcpWiring): Promise<CrewMcpTools> {
  const { factory, config } = wiring;
  const state = new CrewStateReader({
    ledger: new IncidentLedger(await factory.open(KV_BUCKETS.incidents, { class: IncidentRecord })),
    locks: await factory.open(KV_BUCKETS.locks, { class: LeaseRecord }),
    heartbeats:
      wiring.heartbeats ??
      (await HeartbeatBoard.open(
        factory,
        await factory.open(KV_BUCKETS.heartbeats, { class: HeartbeatRecord }),
        wiring.logger,
      )),
    agents: config.agents,
    ...(wiring.bus === undefined ? {} : { bus: wiring.bus }),
  });
  const ack = config.mcp_server.allow_ack
    ? await openIncidentAck({
        factory,
        publisher: wiring.publisher,
        audit: wiring.audit,
        config: config.thresholds.escalation,
        logger: wiring.logger,
      })
    : null;
  return {
    tools: crewTools({ state, ack }),
    withheld: ack === null ? { [ACK_TOOL_NAME]: 'mcp_server.allow_ack is false' } : {},
  };
}

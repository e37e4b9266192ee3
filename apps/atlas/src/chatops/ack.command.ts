import { Inject, Injectable } from '@nestjs/common';
import {
  ACKER_PATTERN,
  acknowledgeIncident,
  type IncidentAckDependencies,
} from '@opscrew/guardrails';
import {
  type ChatCaller,
  type ChatCommandHandler,
  type ChatOptions,
  type ChatReply,
} from './chat-command';
import { ChatCommandError } from './chat-command.error';

/** Nest token of the ack's dependencies (openIncidentAck over atlas's bus). */
export const CHAT_INCIDENT_ACK = Symbol('CHAT_INCIDENT_ACK');

/**
 * `/ack <id>`: the same as `opscrew incident ack` (acknowledgeIncident: the escalation chain
 * stops, the ledger hears `incident.updated`), acknowledged by the caller — their Discord
 * username, or the CLI user.
 */
@Injectable()
export class AckCommand implements ChatCommandHandler {
  readonly name = 'ack';

  constructor(@Inject(CHAT_INCIDENT_ACK) private readonly ack: IncidentAckDependencies) {}

  async execute(options: ChatOptions, caller: ChatCaller): Promise<ChatReply> {
    const id = String(options['id']);
    const by = ackerOf(caller);
    const result = await acknowledgeIncident(this.ack, id, by);
    switch (result.outcome) {
      case 'unknown':
        throw new ChatCommandError(`No incident ${id}.`);
      case 'resolved-without-escalation':
        return { text: `${id} is not escalating (resolved; no escalation was opened).` };
      case 'acked':
      case 'not-escalating': {
        const head =
          result.outcome === 'acked'
            ? `Acknowledged ${id}: escalation stopped at ${result.level} (by ${by}).`
            : `${id} is not escalating (${result.record.state} by ${result.record.closed_by ?? '?'} at ${result.record.closed_at ?? '?'}).`;
        if (!result.ledger.told && result.ledger.reason === 'publish-failed')
          return {
            text: `${head}\nThe escalation is stopped, but the ledger was not told (${result.ledger.error}): run /ack again.`,
          };
        if (!result.ledger.told && result.ledger.reason === 'not-in-ledger')
          return {
            text: `${head}\n${id} is not in the ledger; the ack is kept in its escalation.`,
          };
        return { text: head };
      }
    }
  }
}

/** Who acks: the caller's name when it is a short handle, else `<via>-<id>` (a Discord id is digits). */
export function ackerOf(caller: ChatCaller): string {
  if (ACKER_PATTERN.test(caller.name)) return caller.name;
  const fallback = `${caller.via}-${caller.id}`;
  if (ACKER_PATTERN.test(fallback)) return fallback;
  throw new ChatCommandError('Cannot tell who you are: your name is not a short handle.');
}

import { AGENT_NAMES, type AgentName } from '@opscrew/contracts';

/**
 * A NATS user of the crew: one per agent, the CLI (`opscrew incident inject|ack`, `mcp`),
 * `reporter` — for systems outside the crew that may only report incidents — and `admin`,
 * which only `opscrew bus provision` uses: it makes the streams, durables and buckets exist
 * and publishes nothing. It is also who an event comes from: every crew publish names its
 * user as the wire subject's last token (publisher-subject.ts), which the server's
 * permissions enforce (admin may publish no event, so no subject names it legitimately).
 */
export type BusUser = AgentName | 'cli' | 'reporter' | 'admin';
export const BUS_USERS: readonly BusUser[] = [...AGENT_NAMES, 'cli', 'reporter', 'admin'];

export function isBusUser(value: unknown): value is BusUser {
  return typeof value === 'string' && (BUS_USERS as readonly string[]).includes(value);
}

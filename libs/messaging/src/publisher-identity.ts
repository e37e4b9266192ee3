import { type EventSource, subjectMatches } from '@opscrew/contracts';
import { BUS_GRANTS, ownEvents } from './bus-permissions';
import { BUS_USERS, type BusUser } from './bus-user';
import { UNATTRIBUTED_SUBJECTS } from './publisher-subject';

/**
 * The source table: for each logical subject (or family pattern) a user publishes, that user.
 * Derived from BUS_GRANTS through ownEvents — the same list the server's permissions are
 * rendered from — so what a consumer accepts from a publisher and what the server lets that
 * publisher send can never drift apart.
 */
export const SOURCE_TABLE: readonly { readonly subject: string; readonly publisher: BusUser }[] =
  BUS_USERS.flatMap((publisher) => ownEvents(publisher).map((subject) => ({ subject, publisher })));

/** The users that may publish a logical subject (empty: nobody in the crew does). */
export function publishersOf(logical: string): BusUser[] {
  const users = SOURCE_TABLE.filter((entry) => subjectMatches(entry.subject, logical)).map(
    (entry) => entry.publisher,
  );
  return [...new Set(users)];
}

/**
 * Which publishers an event's `source` claim is consistent with (null: unattributed). The
 * envelope's `source` is the only field of the contracts that names the sender (`reporter` on
 * `incident.reported` is an outside system's own free-form name, `holder` a lease holder,
 * `agent` on heartbeats must equal the subject token already):
 * - an agent or `cli`: that very user. jira-resolver's todo-ticket poller publishes
 *   `incident.detected` as `jira-resolver` (the human who filed the ticket is in the evidence);
 * - `external`: an outside system — the `reporter` user, an unattributed bare
 *   `incident.reported`, or ops-monitor relaying Alertmanager's webhook;
 * - `human`: a person acting through the CLI (`incident ack`) or atlas (ChatOps, MCP tools).
 */
export const SOURCE_CLAIMS: { readonly [S in EventSource]: readonly (BusUser | null)[] } = {
  atlas: ['atlas'],
  'ops-monitor': ['ops-monitor'],
  'jira-resolver': ['jira-resolver'],
  'demo-controller': ['demo-controller'],
  cli: ['cli'],
  external: ['reporter', null, 'ops-monitor'],
  human: ['cli', 'atlas'],
};

export type SenderVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Whether an event on `logical` from `publisher` (the subject's token, verified by the server's
 * permissions) with the payload's `source` claim is believable: the publisher may publish that
 * subject (BUS_GRANTS), an unattributed one only where UNATTRIBUTED_SUBJECTS allows, and the claim
 * names that publisher (SOURCE_CLAIMS; `external` only on what outside systems publish).
 */
export function checkSender(
  logical: string,
  publisher: BusUser | null,
  claimed: EventSource,
): SenderVerdict {
  const who = publisher ?? 'unattributed';
  if (publisher === null) {
    if (!UNATTRIBUTED_SUBJECTS.includes(logical)) {
      return {
        ok: false,
        reason: `${logical}: unattributed (no publisher token), accepted only on ${UNATTRIBUTED_SUBJECTS.join(', ')}; claims source "${claimed}"`,
      };
    }
  } else if (!publishersOf(logical).includes(publisher)) {
    return {
      ok: false,
      reason: `${logical}: published by ${publisher}, which does not publish it (BUS_GRANTS); claims source "${claimed}"`,
    };
  }
  if (claimed === 'external' && !UNATTRIBUTED_SUBJECTS.includes(logical)) {
    // An outside system only ever reports (contracts: EVENT_SOURCES).
    return {
      ok: false,
      reason: `${logical}: claims source "external", which only reports (${UNATTRIBUTED_SUBJECTS.join(', ')}); published by ${who}`,
    };
  }
  if (!SOURCE_CLAIMS[claimed].includes(publisher)) {
    return {
      ok: false,
      reason: `${logical}: claims source "${claimed}" but was published by ${who}`,
    };
  }
  return { ok: true };
}

/** The user that runs a consumer (BUS_GRANTS[*].consumes): it alone writes its dead letters. */
export function consumerOwner(consumer: string): BusUser {
  const owner = BUS_USERS.find((user) => BUS_GRANTS[user].consumes.some((c) => c === consumer));
  if (owner === undefined) {
    throw new Error(`bus: no user runs consumer "${consumer}" (BUS_GRANTS[*].consumes)`);
  }
  return owner;
}

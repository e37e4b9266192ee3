// Over ~300 lines: the subject → event class map with its type-level checks and parseEvent/buildEvent; the
// types and the runtime table must stay side by side.
import { randomUUID } from 'node:crypto';
import { AgentRestartedEvent, AgentStaleEvent, HeartbeatEvent } from './events/agent.events';
import { AuditEvent } from './events/audit.event';
import { CommandRestartEvent, CommandResultEvent } from './events/command.events';
import { DeadLetterEvent } from './events/dead-letter.event';
import { type EventEnvelope, type PayloadOf } from './events/event-envelope';
import {
  IncidentDetectedEvent,
  IncidentEscalatedEvent,
  IncidentReportedEvent,
  IncidentResolvedEvent,
  IncidentUpdatedEvent,
} from './events/incident.events';
import { LockAcquiredEvent, LockReleasedEvent } from './events/lock.events';
import { RemediationFinishedEvent, RemediationStartedEvent } from './events/remediation.events';
import { ReportEvent } from './events/report.event';
import { ScenarioFinishedEvent, ScenarioStartedEvent } from './events/scenario.events';
import { EventValidationError } from './event-validation.error';
import {
  type AuditSubject,
  type DeadLetterSubject,
  type EventSource,
  FIXED_SUBJECTS,
  type FixedSubject,
  type HeartbeatSubject,
  isAgentName,
  isSubjectToken,
  type ReportSubject,
  SUBJECT_FAMILIES,
  type SubjectFamily,
} from './subjects';
import { jsonErrorPosition } from './validation/json-error-position';
import { validateCompiled } from './validation/compiled-check';
import { type ClassType } from './validation/validate-plain';

/** Event class per fixed subject. */
export interface FixedEventTypes {
  'incident.reported': IncidentReportedEvent;
  'incident.detected': IncidentDetectedEvent;
  'incident.updated': IncidentUpdatedEvent;
  'incident.resolved': IncidentResolvedEvent;
  'incident.escalated': IncidentEscalatedEvent;
  'remediation.started': RemediationStartedEvent;
  'remediation.finished': RemediationFinishedEvent;
  'lock.acquired': LockAcquiredEvent;
  'lock.released': LockReleasedEvent;
  'scenario.started': ScenarioStartedEvent;
  'scenario.finished': ScenarioFinishedEvent;
  'agent.stale': AgentStaleEvent;
  'agent.restarted': AgentRestartedEvent;
  'command.restart': CommandRestartEvent;
  'command.result': CommandResultEvent;
}

/** Event class per subject, families included (`report.daily` → ReportEvent). */
export type EventTypes = FixedEventTypes & { [S in HeartbeatSubject]: HeartbeatEvent } & {
  [S in AuditSubject]: AuditEvent;
} & { [S: ReportSubject]: ReportEvent } & { [S: DeadLetterSubject]: DeadLetterEvent };

/** Every subject the bus carries, as a type: publishing to anything else does not compile. */
export type EventSubject = keyof EventTypes;
export type EventOf<S extends EventSubject> = EventTypes[S];
/** What a publisher passes: the event's fields without the envelope. */
export type EventPayloads = { [S in EventSubject]: PayloadOf<EventTypes[S]> };
export type AnyEvent = EventTypes[EventSubject];

// Compile-time check that the fixed map and the subject constants agree.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const FIXED_MAP_MATCHES_SUBJECTS: Exact<keyof FixedEventTypes, FixedSubject> = true;
void FIXED_MAP_MATCHES_SUBJECTS;

interface EventDefinition {
  readonly cls: ClassType<EventEnvelope>;
  /** Current schema version; a reader accepts 1..schema. */
  readonly schema: number;
}

interface FamilyDefinition extends EventDefinition {
  /** Payload field that must repeat the subject's last token. */
  readonly tokenField: string;
  readonly tokenCheck: (token: string) => boolean;
  readonly tokenLabel: string;
}

const FIXED_DEFINITIONS: { readonly [S in FixedSubject]: EventDefinition } = {
  'incident.reported': { cls: IncidentReportedEvent, schema: 1 },
  'incident.detected': { cls: IncidentDetectedEvent, schema: 1 },
  'incident.updated': { cls: IncidentUpdatedEvent, schema: 1 },
  'incident.resolved': { cls: IncidentResolvedEvent, schema: 1 },
  'incident.escalated': { cls: IncidentEscalatedEvent, schema: 1 },
  'remediation.started': { cls: RemediationStartedEvent, schema: 1 },
  'remediation.finished': { cls: RemediationFinishedEvent, schema: 1 },
  'lock.acquired': { cls: LockAcquiredEvent, schema: 1 },
  'lock.released': { cls: LockReleasedEvent, schema: 1 },
  'scenario.started': { cls: ScenarioStartedEvent, schema: 1 },
  'scenario.finished': { cls: ScenarioFinishedEvent, schema: 1 },
  'agent.stale': { cls: AgentStaleEvent, schema: 1 },
  'agent.restarted': { cls: AgentRestartedEvent, schema: 1 },
  'command.restart': { cls: CommandRestartEvent, schema: 1 },
  'command.result': { cls: CommandResultEvent, schema: 1 },
};

const FAMILY_DEFINITIONS: { readonly [F in SubjectFamily]: FamilyDefinition } = {
  heartbeat: {
    cls: HeartbeatEvent,
    schema: 1,
    tokenField: 'agent',
    tokenCheck: isAgentName,
    tokenLabel: 'agent',
  },
  report: {
    cls: ReportEvent,
    schema: 1,
    tokenField: 'kind',
    tokenCheck: isSubjectToken,
    tokenLabel: 'kind',
  },
  deadletter: {
    cls: DeadLetterEvent,
    schema: 1,
    tokenField: 'consumer',
    tokenCheck: isSubjectToken,
    tokenLabel: 'consumer',
  },
  audit: {
    cls: AuditEvent,
    schema: 1,
    tokenField: 'agent',
    tokenCheck: isAgentName,
    tokenLabel: 'agent',
  },
};

/** Current schema version per fixed subject and per family (`heartbeat`, `report`, …). */
export const SCHEMA_VERSIONS: Readonly<Record<FixedSubject | SubjectFamily, number>> =
  Object.freeze({
    ...Object.fromEntries(
      Object.entries(FIXED_DEFINITIONS).map(([subject, def]) => [subject, def.schema]),
    ),
    ...Object.fromEntries(
      Object.entries(FAMILY_DEFINITIONS).map(([family, def]) => [family, def.schema]),
    ),
  } as Record<FixedSubject | SubjectFamily, number>);

/** What the registry holds for a fixed subject or a family (the docs/events generator reads it). */
export interface EventContract {
  readonly cls: ClassType<EventEnvelope>;
  /** Current schema version; a reader accepts 1..schema. */
  readonly schema: number;
  /** Families only: the payload field that must repeat the subject's last token. */
  readonly tokenField?: string;
}

export function eventContract(key: FixedSubject | SubjectFamily): EventContract {
  if (Object.prototype.hasOwnProperty.call(FIXED_DEFINITIONS, key)) {
    const { cls, schema } = FIXED_DEFINITIONS[key as FixedSubject];
    return { cls, schema };
  }
  const { cls, schema, tokenField } = FAMILY_DEFINITIONS[key as SubjectFamily];
  return { cls, schema, tokenField };
}

const KNOWN_SUBJECTS_HINT = [
  ...FIXED_SUBJECTS,
  'heartbeat.<agent>',
  'report.<kind>',
  'deadletter.<consumer>',
  'audit.<agent>',
].join(', ');

type Resolved =
  | { ok: true; def: EventDefinition; family?: FamilyDefinition; token?: string }
  | { ok: false; reason: string };

function resolve(subject: string): Resolved {
  if (Object.prototype.hasOwnProperty.call(FIXED_DEFINITIONS, subject)) {
    return { ok: true, def: FIXED_DEFINITIONS[subject as FixedSubject] };
  }
  const dot = subject.indexOf('.');
  const family = dot > 0 ? subject.slice(0, dot) : '';
  const token = dot > 0 ? subject.slice(dot + 1) : '';
  if ((SUBJECT_FAMILIES as readonly string[]).includes(family)) {
    const def = FAMILY_DEFINITIONS[family as SubjectFamily];
    if (!def.tokenCheck(token)) {
      return { ok: false, reason: `${subject}: unknown ${def.tokenLabel} "${token}"` };
    }
    return { ok: true, def, family: def, token };
  }
  return {
    ok: false,
    reason: `${subject}: unknown subject (expected one of ${KNOWN_SUBJECTS_HINT})`,
  };
}

/** True when `subject` is a logical subject the registry knows (families included). */
export function isEventSubject(subject: string): subject is EventSubject {
  return resolve(subject).ok;
}

/** Current schema version of the event published on `subject`. */
export function schemaVersionOf(subject: EventSubject): number {
  const resolved = resolve(subject);
  if (!resolved.ok) {
    throw new EventValidationError(subject, resolved.reason);
  }
  return resolved.def.schema;
}

/** Why a message could not be parsed: no contract for the subject, not JSON, or off-contract. */
export type ParseFailureKind = 'unknown_subject' | 'invalid_json' | 'schema';

export type ParseResult<E> =
  { ok: true; event: E } | { ok: false; reason: string; kind: ParseFailureKind };

/**
 * Parses and validates a message body received on a logical subject. Never
 * throws: every failure is a one-line reason starting with the subject.
 */
export function parseEvent<S extends EventSubject>(
  subject: S,
  raw: unknown,
): ParseResult<EventOf<S>>;
export function parseEvent(subject: string, raw: unknown): ParseResult<AnyEvent>;
export function parseEvent(subject: string, raw: unknown): ParseResult<AnyEvent> {
  const resolved = resolve(subject);
  if (!resolved.ok) {
    return { ok: false, reason: resolved.reason, kind: 'unknown_subject' };
  }
  const decoded = decode(raw);
  if (!decoded.ok) {
    return { ok: false, reason: `${subject}: ${decoded.reason}`, kind: 'invalid_json' };
  }
  return check(subject, resolved, decoded.value);
}

export interface BuildEventOptions {
  /**
   * The event id (`Nats-Msg-Id`). Pass a deterministic id when the same logical
   * event may be published twice (retries, restarts), so the stream dedups it.
   * Defaults to a random UUID.
   */
  id?: string;
  /** Defaults to now. */
  at?: Date | string;
}

/** Fills the envelope (schema, id, at, source) and validates; throws {@link EventValidationError}. */
export function buildEvent<S extends EventSubject>(
  subject: S,
  payload: EventPayloads[S],
  source: EventSource,
  options: BuildEventOptions = {},
): EventOf<S> {
  const resolved = resolve(subject);
  if (!resolved.ok) {
    throw new EventValidationError(subject, resolved.reason);
  }
  const at = options.at ?? new Date();
  const plain: unknown = {
    ...(payload as object),
    schema: resolved.def.schema,
    id: options.id ?? randomUUID(),
    at: at instanceof Date ? at.toISOString() : at,
    source,
  };
  const result = check(subject, resolved, plain);
  if (!result.ok) {
    throw new EventValidationError(subject, result.reason);
  }
  return result.event as EventOf<S>;
}

function check(
  subject: string,
  resolved: Extract<Resolved, { ok: true }>,
  plain: unknown,
): ParseResult<AnyEvent> {
  const problems: string[] = [];
  const validated = validateCompiled(resolved.def.cls, plain);
  if (!validated.ok) {
    problems.push(validated.reason);
  }
  if (typeof plain === 'object' && plain !== null && !Array.isArray(plain)) {
    const record = plain as Record<string, unknown>;
    const schema = record['schema'];
    if (
      typeof schema === 'number' &&
      Number.isSafeInteger(schema) &&
      schema > resolved.def.schema
    ) {
      problems.push(
        `schema: unsupported version ${schema} (this build reads up to ${resolved.def.schema})`,
      );
    }
    const family = resolved.family;
    if (family !== undefined && resolved.token !== undefined) {
      const value = record[family.tokenField];
      if (typeof value === 'string' && value !== resolved.token) {
        problems.push(`${family.tokenField}: must match the subject token "${resolved.token}"`);
      }
    }
  }
  if (problems.length > 0 || !validated.ok) {
    return { ok: false, reason: `${subject}: ${problems.join('; ')}`, kind: 'schema' };
  }
  return { ok: true, event: validated.value as AnyEvent };
}

type Decoded = { ok: true; value: unknown } | { ok: false; reason: string };

function decode(raw: unknown): Decoded {
  let text: string;
  if (raw instanceof Uint8Array) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return { ok: false, reason: 'invalid UTF-8 in payload' };
    }
  } else if (typeof raw === 'string') {
    text = raw;
  } else {
    return { ok: true, value: raw };
  }
  if (text.trim() === '') {
    return { ok: false, reason: 'empty payload (expected a JSON object)' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: `invalid JSON at position ${jsonErrorPosition(text)}` };
  }
}

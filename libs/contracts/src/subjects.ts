/**
 * Logical subjects of the bus (DESIGN.md "The bus"). These are the names the code
 * talks about; libs/messaging maps them to wire subjects (a namespace prefix for
 * test isolation or multi-tenant buses) and back.
 */

/** The four crew members. Heartbeat and audit subjects are per agent. */
export const AGENT_NAMES = ['atlas', 'ops-monitor', 'jira-resolver', 'demo-controller'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

/**
 * Who may appear as an event's `source`: an agent, the CLI, a human (ChatOps, manual ack), or a
 * system outside the crew (`external`: only ever on `incident.reported`, which names its reporter).
 */
export const EVENT_SOURCES = [...AGENT_NAMES, 'cli', 'human', 'external'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

export const SUBJECTS = {
  incidentReported: 'incident.reported',
  incidentDetected: 'incident.detected',
  incidentUpdated: 'incident.updated',
  incidentResolved: 'incident.resolved',
  incidentEscalated: 'incident.escalated',
  remediationStarted: 'remediation.started',
  remediationFinished: 'remediation.finished',
  lockAcquired: 'lock.acquired',
  lockReleased: 'lock.released',
  scenarioStarted: 'scenario.started',
  scenarioFinished: 'scenario.finished',
  agentStale: 'agent.stale',
  agentRestarted: 'agent.restarted',
  commandRestart: 'command.restart',
  commandResult: 'command.result',
} as const;

/** Every subject with a fixed name (the per-agent / per-kind families are below). */
export type FixedSubject = (typeof SUBJECTS)[keyof typeof SUBJECTS];
export const FIXED_SUBJECTS: readonly FixedSubject[] = Object.values(SUBJECTS);

/** Subject families whose last token names an agent, a report kind or a consumer. */
export const SUBJECT_FAMILIES = ['heartbeat', 'report', 'deadletter', 'audit'] as const;
export type SubjectFamily = (typeof SUBJECT_FAMILIES)[number];

export type HeartbeatSubject = `heartbeat.${AgentName}`;
export type ReportSubject = `report.${string}`;
export type DeadLetterSubject = `deadletter.${string}`;
export type AuditSubject = `audit.${AgentName}`;

/** A subject token: what may sit between two dots (no wildcards, no whitespace). */
export const SUBJECT_TOKEN_PATTERN = /^[A-Za-z0-9_-]+$/;
/** Long enough for `<agent>-<purpose>` consumer names; short enough to keep subjects readable. */
export const SUBJECT_TOKEN_MAX_LENGTH = 64;

export function isSubjectToken(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= SUBJECT_TOKEN_MAX_LENGTH &&
    SUBJECT_TOKEN_PATTERN.test(value)
  );
}

/** Throws a readable error when `value` cannot be used as one subject token. */
export function assertSubjectToken(value: string, what: string): void {
  if (!SUBJECT_TOKEN_PATTERN.test(value) || value.length > SUBJECT_TOKEN_MAX_LENGTH) {
    throw new Error(
      `${what} "${value}" is not a valid subject token ([A-Za-z0-9_-], 1-${SUBJECT_TOKEN_MAX_LENGTH} characters)`,
    );
  }
}

export function isAgentName(value: unknown): value is AgentName {
  return typeof value === 'string' && (AGENT_NAMES as readonly string[]).includes(value);
}

export function heartbeatSubject(agent: AgentName): HeartbeatSubject {
  assertAgent(agent);
  return `heartbeat.${agent}`;
}

export function auditSubject(agent: AgentName): AuditSubject {
  assertAgent(agent);
  return `audit.${agent}`;
}

export function reportSubject(kind: string): ReportSubject {
  assertSubjectToken(kind, 'report kind');
  return `report.${kind}`;
}

export function deadLetterSubject(consumer: string): DeadLetterSubject {
  assertSubjectToken(consumer, 'consumer name');
  return `deadletter.${consumer}`;
}

/**
 * NATS subject matching for logical subjects and filters: `*` matches one token,
 * a trailing `>` one or more tokens.
 */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    const token = f[i];
    if (token === '>') {
      return s.length > i;
    }
    if (i >= s.length) {
      return false;
    }
    if (token !== '*' && token !== s[i]) {
      return false;
    }
  }
  return f.length === s.length;
}

function assertAgent(agent: string): void {
  if (!isAgentName(agent)) {
    throw new Error(`unknown agent "${agent}" (expected one of ${AGENT_NAMES.join(', ')})`);
  }
}

import {
  buildEvent,
  type EventPayloads,
  type EventSubject,
  isEventSubject,
  parseEvent,
  SCHEMA_VERSIONS,
  schemaVersionOf,
} from './event-registry';
import { EventValidationError } from './event-validation.error';
import { IncidentDetectedEvent } from './events/incident.events';
import { RemediationStep } from './events/remediation.events';

const AT = '2025-01-31T12:00:00.000Z';
const envelope = { schema: 1, id: 'evt-1', at: AT, source: 'ops-monitor' };

/** One valid payload per event family; every test below starts from these. */
const VALID: { [S in EventSubject]?: EventPayloads[S] } & Record<string, object> = {
  'incident.detected': {
    incident_id: 'INC-20250131-001',
    fingerprint: 'checkout:high_error_rate',
    service: 'checkout',
    symptom: 'high_error_rate',
    severity: 'high',
    value: 0.27,
    threshold: 0.05,
    metric: 'error_rate_ratio',
    detected_at: AT,
    informational: false,
    evidence: { window_s: 60, query: 'rate(errors)', sampled: true },
  },
  'incident.updated': {
    incident_id: 'INC-20250131-001',
    fingerprint: 'checkout:high_error_rate',
    phase: 'triaged',
    count: 3,
    last_value: 0.2,
    peak_value: 0.31,
    note: 'folded 2 detections',
  },
  'incident.resolved': {
    incident_id: 'INC-20250131-001',
    resolved_by: 'jira-resolver',
    note: 'restart fixed it',
    verification: { checks: 3, error_rate_ratio: 0.001, latency_p99_ms: 120 },
  },
  'incident.escalated': {
    incident_id: 'INC-20250131-001',
    level: 'L2',
    reason: 'runbook failed',
    mention: 'on-call',
  },
  'remediation.started': {
    incident_id: 'INC-20250131-001',
    run_id: 'run-1',
    service: 'checkout',
    runbook: 'restart-service',
    mode: 'act',
  },
  'remediation.finished': {
    incident_id: 'INC-20250131-001',
    run_id: 'run-1',
    service: 'checkout',
    runbook: 'restart-service',
    mode: 'act',
    outcome: 'succeeded',
    steps: [
      { action: 'restart', result: 'ok' },
      { action: 'wait', result: 'ok', detail: '30 s' },
    ],
  },
  'lock.acquired': {
    service: 'checkout',
    holder: 'demo-controller:run-1',
    revision: 7,
    expires_at: AT,
    reason: 'load test',
  },
  'lock.released': {
    service: 'checkout',
    holder: 'demo-controller:run-1',
    revision: 7,
    reason: 'released',
  },
  'scenario.started': {
    scenario: 'checkout-spike',
    run_id: 'run-1',
    services: ['checkout', 'frontend'],
    expected: {
      symptoms: ['high_latency'],
      remediation_expected: false,
      informational_only: true,
    },
    duration_s: 120,
  },
  'scenario.finished': {
    scenario: 'checkout-spike',
    run_id: 'run-1',
    outcome: 'completed',
  },
  'agent.stale': {
    agent: 'jira-resolver',
    last_heartbeat_at: null,
    age_s: null,
    max_age_s: 90,
  },
  'agent.restarted': {
    agent: 'ops-monitor',
    outcome: 'gave_up',
    runtime: 'docker',
    last_heartbeat_at: AT,
    old_pid: null,
    new_pid: null,
    restarts_in_window: 3,
    detail: 'restart loop: 3 restarts in 15 min',
  },
  'heartbeat.ops-monitor': {
    agent: 'ops-monitor',
    version: '0.1.0',
    pid: 4242,
    uptime_s: 12.5,
    status: 'ok',
    last_cycle_at: AT,
    lag_ms: 3,
  },
  'report.daily': {
    kind: 'daily',
    title: 'Daily report',
    text: 'All quiet.',
    fields: { incidents: 0, slo: '99.9%' },
  },
  'deadletter.atlas-ledger': {
    consumer: 'atlas-ledger',
    subject: 'incident.detected',
    stream_seq: 12,
    delivery_count: 1,
    reason: 'incident.detected: value: must be a finite number',
    raw: '{"value":"x"}',
    received_at: AT,
  },
  'audit.jira-resolver': {
    agent: 'jira-resolver',
    action: 'runtime.restart',
    verdict: 'allowed',
    input_digest: 'sha256:abc',
    result: 'ok',
    revision: 7,
  },
};

const valid = (subject: string): Record<string, unknown> => {
  const payload = VALID[subject];
  if (payload === undefined) throw new Error(`no fixture for ${subject}`);
  return { ...envelope, ...structuredClone(payload) };
};

const reasonOf = (subject: string, raw: unknown): string => {
  const result = parseEvent(subject, raw);
  if (result.ok) throw new Error(`${subject} unexpectedly valid`);
  return result.reason;
};

describe('parseEvent: every event family', () => {
  const subjects = Object.keys(VALID);

  it.each(subjects)('%s: accepts a valid event (object, string and bytes)', (subject) => {
    const plain = valid(subject);
    for (const raw of [
      plain,
      JSON.stringify(plain),
      new TextEncoder().encode(JSON.stringify(plain)),
    ]) {
      const result = parseEvent(subject, raw);
      expect(result).toEqual({ ok: true, event: expect.objectContaining(plain) as unknown });
    }
  });

  it.each(subjects)('%s: rejects an unknown key, at the top and inside', (subject) => {
    expect(reasonOf(subject, { ...valid(subject), surprise: 1 })).toBe(
      `${subject}: surprise: is not allowed (unknown key)`,
    );
  });

  it.each(subjects)('%s: rejects each missing required field by name', (subject) => {
    const plain = valid(subject);
    for (const key of Object.keys(plain)) {
      const copy = { ...plain };
      delete copy[key];
      const result = parseEvent(subject, copy);
      const optional = isOptional(subject, key);
      if (optional) {
        expect(result.ok).toBe(true);
      } else {
        expect(result.ok).toBe(false);
        if (!result.ok)
          expect(result.reason).toMatch(new RegExp(`^${escape(subject)}: (.*; )?${key}: `));
      }
    }
  });

  it.each(subjects)('%s: rejects wrong types (no coercion)', (subject) => {
    const plain = valid(subject);
    for (const key of Object.keys(plain)) {
      const value = plain[key];
      const wrong =
        typeof value === 'string' ? 42 : typeof value === 'number' ? String(value) : 'x';
      const reason = reasonOf(subject, { ...plain, [key]: wrong });
      expect(reason).toContain(`${key}: `);
    }
  });

  it.each(subjects)('%s: rejects null for optional fields (optional means absent)', (subject) => {
    const plain = valid(subject);
    for (const key of Object.keys(plain)) {
      if (!isOptional(subject, key)) continue;
      expect(reasonOf(subject, { ...plain, [key]: null })).toContain(`${key}: `);
    }
  });
});

/** Fields whose absence is valid, per subject (envelope and required payload fields are not). */
const OPTIONAL: Record<string, string[]> = {
  'incident.detected': ['threshold', 'metric', 'informational', 'evidence'],
  'incident.updated': ['phase', 'count', 'last_value', 'peak_value', 'note'],
  'incident.resolved': ['note', 'verification'],
  'incident.escalated': ['mention'],
  'heartbeat.ops-monitor': ['last_cycle_at', 'lag_ms'],
  'report.daily': ['fields'],
  'audit.jira-resolver': ['revision'],
};
function isOptional(subject: string, key: string): boolean {
  return (OPTIONAL[subject] ?? []).includes(key);
}
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('parseEvent: field rules and messages', () => {
  it('lists every failing field on one line', () => {
    const reason = reasonOf('incident.detected', {
      ...valid('incident.detected'),
      severity: 'urgent',
      value: Number.NaN,
    });
    expect(reason).toBe(
      'incident.detected: severity: must be one of critical, high, medium, low, info; value: must be a finite number',
    );
    expect(reason).not.toContain('\n');
  });

  it('checks the incident id pattern and timestamps', () => {
    expect(
      reasonOf('incident.detected', { ...valid('incident.detected'), incident_id: 'INC-1' }),
    ).toBe(
      'incident.detected: incident_id: must be a string matching INC-YYYYMMDD-NNN-EEEE (at most 32 characters)',
    );
    for (const bad of ['2025-01-31', '2025-01-31T12:00:00', 'yesterday', '2025-13-45T99:00:00Z']) {
      expect(
        reasonOf('incident.detected', { ...valid('incident.detected'), detected_at: bad }),
      ).toContain('detected_at: must be an ISO-8601 timestamp');
    }
    expect(
      parseEvent('incident.detected', {
        ...valid('incident.detected'),
        detected_at: '2025-01-31T12:00:00+01:00',
      }).ok,
    ).toBe(true);
  });

  it('checks symptoms, severities, numbers and the evidence bag', () => {
    const base = valid('incident.detected');
    expect(reasonOf('incident.detected', { ...base, symptom: 'High Error' })).toContain(
      'symptom: must be a string matching a snake_case token',
    );
    expect(reasonOf('incident.detected', { ...base, value: Infinity })).toContain(
      'value: must be a finite number',
    );
    expect(reasonOf('incident.detected', { ...base, evidence: { nested: { a: 1 } } })).toContain(
      'evidence: must be a flat object of at most 50 keys',
    );
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    expect(reasonOf('incident.detected', { ...base, evidence: many })).toContain('evidence: ');
    expect(reasonOf('incident.detected', { ...base, evidence: [1] })).toContain('evidence: ');
    expect(reasonOf('incident.detected', { ...base, informational: 'true' })).toBe(
      'incident.detected: informational: must be a boolean',
    );
  });

  it('validates and whitelists nested objects and arrays', () => {
    const resolved = valid('incident.resolved');
    expect(
      reasonOf('incident.resolved', { ...resolved, verification: { checks: 1.5, extra: true } }),
    ).toBe(
      'incident.resolved: verification.extra: is not allowed (unknown key); verification.checks: must be an integer ≥ 0',
    );
    expect(reasonOf('incident.resolved', { ...resolved, verification: 'fine' })).toBe(
      'incident.resolved: verification: must be an object',
    );
    const finished = valid('remediation.finished');
    expect(
      reasonOf('remediation.finished', {
        ...finished,
        steps: [{ action: 'restart', result: 'maybe' }, 7],
      }),
    ).toBe(
      'remediation.finished: steps: must be an array of at most 100 objects; steps.0.result: must be one of ok, failed, refused, skipped; steps.1: must be an object',
    );
    expect(reasonOf('remediation.finished', { ...finished, steps: 'restart' })).toBe(
      'remediation.finished: steps: must be an array of at most 100 objects',
    );
    const scenario = valid('scenario.started');
    expect(reasonOf('scenario.started', { ...scenario, services: [] })).toContain(
      'services: must be an array of 1-50',
    );
    expect(
      reasonOf('scenario.started', {
        ...scenario,
        expected: { symptoms: ['x'], remediation_expected: false },
      }),
    ).toBe('scenario.started: expected.informational_only: must be a boolean');
  });

  it('returns class instances, nested ones included', () => {
    const result = parseEvent('remediation.finished', valid('remediation.finished'));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event.steps[0]).toBeInstanceOf(RemediationStep);
    const detected = parseEvent('incident.detected', valid('incident.detected'));
    if (detected.ok) expect(detected.event).toBeInstanceOf(IncidentDetectedEvent);
  });

  it('accepts null where a field is nullable', () => {
    expect(
      parseEvent('agent.stale', { ...valid('agent.stale'), last_heartbeat_at: AT, age_s: 120 }).ok,
    ).toBe(true);
    expect(reasonOf('agent.stale', { ...valid('agent.stale'), age_s: -1 })).toBe(
      'agent.stale: age_s: must be a finite number ≥ 0',
    );
  });

  it('checks the envelope', () => {
    const plain = valid('lock.released');
    expect(reasonOf('lock.released', { ...plain, schema: 0 })).toBe(
      'lock.released: schema: must be an integer ≥ 1',
    );
    expect(reasonOf('lock.released', { ...plain, schema: 2 })).toBe(
      'lock.released: schema: unsupported version 2 (this build reads up to 1)',
    );
    expect(reasonOf('lock.released', { ...plain, id: 'has space' })).toContain(
      'id: must be a string matching printable ASCII',
    );
    expect(reasonOf('lock.released', { ...plain, id: 'x'.repeat(129) })).toContain('id: ');
    expect(reasonOf('lock.released', { ...plain, source: 'mallory' })).toBe(
      'lock.released: source: must be one of atlas, ops-monitor, jira-resolver, demo-controller, cli, human, external',
    );
  });

  it('names the kind of each failure (a bounded category for dead-letter metrics)', () => {
    const kindOf = (subject: string, raw: unknown) => {
      const result = parseEvent(subject, raw);
      return result.ok ? 'ok' : result.kind;
    };
    expect(kindOf('incident.nonsense', valid('incident.detected'))).toBe('unknown_subject');
    expect(kindOf('heartbeat.mallory', valid('heartbeat.ops-monitor'))).toBe('unknown_subject');
    expect(kindOf('incident.detected', '{"oops"')).toBe('invalid_json');
    expect(kindOf('incident.detected', new Uint8Array([0xff, 0xfe]))).toBe('invalid_json');
    expect(kindOf('incident.detected', '  ')).toBe('invalid_json');
    expect(kindOf('incident.detected', { ...valid('incident.detected'), severity: 'urgent' })).toBe(
      'schema',
    );
  });

  it('bounds text by bytes where the wire limit is in bytes', () => {
    const plain = valid('deadletter.atlas-ledger');
    expect(parseEvent('deadletter.atlas-ledger', { ...plain, raw: 'a'.repeat(4096) }).ok).toBe(
      true,
    );
    expect(reasonOf('deadletter.atlas-ledger', { ...plain, raw: 'é'.repeat(2049) })).toBe(
      'deadletter.atlas-ledger: raw: must be a string of at most 4096 UTF-8 bytes',
    );
    expect(parseEvent('deadletter.atlas-ledger', { ...plain, raw: '' }).ok).toBe(true);
  });

  it('refuses prototype-polluting keys before transforming', () => {
    const raw = '{"__proto__": {"polluted": true}}';
    expect(reasonOf('incident.detected', raw)).toBe(
      'incident.detected: __proto__: is not allowed (reserved key)',
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('parseEvent: wildcard families', () => {
  it('maps each family subject to its class and checks the subject token', () => {
    expect(
      parseEvent('heartbeat.atlas', { ...valid('heartbeat.ops-monitor'), agent: 'atlas' }).ok,
    ).toBe(true);
    expect(reasonOf('heartbeat.atlas', valid('heartbeat.ops-monitor'))).toBe(
      'heartbeat.atlas: agent: must match the subject token "atlas"',
    );
    expect(reasonOf('report.weekly', valid('report.daily'))).toBe(
      'report.weekly: kind: must match the subject token "weekly"',
    );
    expect(reasonOf('deadletter.other', valid('deadletter.atlas-ledger'))).toBe(
      'deadletter.other: consumer: must match the subject token "other"',
    );
    expect(reasonOf('audit.atlas', valid('audit.jira-resolver'))).toBe(
      'audit.atlas: agent: must match the subject token "atlas"',
    );
  });

  it('refuses unknown agents and malformed family tokens', () => {
    expect(reasonOf('heartbeat.mallory', {})).toBe('heartbeat.mallory: unknown agent "mallory"');
    expect(reasonOf('audit.mallory', {})).toBe('audit.mallory: unknown agent "mallory"');
    expect(reasonOf('report.a.b', {})).toBe('report.a.b: unknown kind "a.b"');
    expect(reasonOf('report.', {})).toBe('report.: unknown kind ""');
    expect(reasonOf('deadletter.*', {})).toBe('deadletter.*: unknown consumer "*"');
  });

  it('knows which subjects exist', () => {
    expect(isEventSubject('incident.detected')).toBe(true);
    expect(isEventSubject('report.anything')).toBe(true);
    expect(isEventSubject('heartbeat.atlas')).toBe(true);
    expect(isEventSubject('heartbeat')).toBe(false);
    expect(isEventSubject('incident.deleted')).toBe(false);
  });
});

describe('parseEvent: undecodable input', () => {
  it('reports bad JSON with its position', () => {
    expect(reasonOf('incident.detected', '{"value": }')).toBe(
      'incident.detected: invalid JSON at position 10',
    );
    expect(reasonOf('incident.detected', new TextEncoder().encode('{"a":1,}'))).toBe(
      'incident.detected: invalid JSON at position 7',
    );
  });

  it('reports invalid UTF-8, empty bodies and non-objects', () => {
    expect(reasonOf('incident.detected', new Uint8Array([0x7b, 0xff, 0x7d]))).toBe(
      'incident.detected: invalid UTF-8 in payload',
    );
    expect(reasonOf('incident.detected', new Uint8Array())).toBe(
      'incident.detected: empty payload (expected a JSON object)',
    );
    expect(reasonOf('incident.detected', '[1,2]')).toBe(
      'incident.detected: must be a JSON object, got an array',
    );
    expect(reasonOf('incident.detected', 'null')).toBe(
      'incident.detected: must be a JSON object, got null',
    );
    expect(reasonOf('incident.detected', 42)).toBe(
      'incident.detected: must be a JSON object, got a number',
    );
  });

  it('reports unknown subjects', () => {
    expect(reasonOf('incident.deleted', valid('incident.detected'))).toMatch(
      /^incident\.deleted: unknown subject \(expected one of incident\.reported, incident\.detected, .*heartbeat\.<agent>, report\.<kind>, deadletter\.<consumer>, audit\.<agent>\)$/,
    );
  });
});

describe('buildEvent', () => {
  it('fills schema, id, at and source, and validates', () => {
    const before = Date.now();
    const event = buildEvent(
      'incident.detected',
      VALID['incident.detected'] as EventPayloads['incident.detected'],
      'ops-monitor',
    );
    expect(event).toBeInstanceOf(IncidentDetectedEvent);
    expect(event.schema).toBe(1);
    expect(event.source).toBe('ops-monitor');
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.at)).toBeGreaterThanOrEqual(before - 1);
    expect(event.severity).toBe('high');
    const again = parseEvent('incident.detected', JSON.stringify(event));
    expect(again.ok).toBe(true);
  });

  it('uses a given id and time (deterministic ids dedup retries)', () => {
    const event = buildEvent('report.daily', { kind: 'daily', title: 'T', text: 'x' }, 'atlas', {
      id: 'report:daily:2025-01-31',
      at: new Date(AT),
    });
    expect(event.id).toBe('report:daily:2025-01-31');
    expect(event.at).toBe(AT);
  });

  it('throws EventValidationError with the one-line reason', () => {
    const payload = { ...(VALID['lock.released'] as EventPayloads['lock.released']), revision: 0 };
    let caught: unknown;
    try {
      buildEvent('lock.released', payload, 'demo-controller');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EventValidationError);
    const error = caught as EventValidationError;
    expect(error.message).toBe('lock.released: revision: must be an integer ≥ 1');
    expect(error.reason).toBe(error.message);
    expect(error.subject).toBe('lock.released');
  });

  it('refuses a family payload that contradicts its subject', () => {
    expect(() =>
      buildEvent(
        'heartbeat.atlas',
        { ...(VALID['heartbeat.ops-monitor'] as EventPayloads['heartbeat.atlas']) },
        'atlas',
      ),
    ).toThrow('heartbeat.atlas: agent: must match the subject token "atlas"');
  });

  it('refuses unknown subjects at run time too', () => {
    expect(() =>
      buildEvent(
        'incident.deleted' as 'incident.detected',
        VALID['incident.detected'] as EventPayloads['incident.detected'],
        'cli',
      ),
    ).toThrow(/unknown subject/);
  });

  it('type-checks payloads per subject', () => {
    const bad = { incident_id: 'INC-20250131-001', level: 'L9', reason: 'x' } as const;
    // @ts-expect-error the escalation level is a closed set
    expect(() => buildEvent('incident.escalated', bad, 'cli')).toThrow();
    // @ts-expect-error not a subject of the bus
    expect(() => buildEvent('nope.nope', {}, 'cli')).toThrow();
  });
});

describe('schema versions', () => {
  it('starts every event type at version 1', () => {
    expect(Object.values(SCHEMA_VERSIONS).every((v) => v === 1)).toBe(true);
    expect(SCHEMA_VERSIONS['incident.detected']).toBe(1);
    expect(SCHEMA_VERSIONS.heartbeat).toBe(1);
    expect(schemaVersionOf('report.daily')).toBe(1);
  });
});

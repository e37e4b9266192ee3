// Over ~300 lines: declarations: for each event, who publishes it, what it means and a realistic example.
import { type FixedSubject, type SubjectFamily } from '../subjects';

/**
 * What the classes cannot say about an event: who publishes it, what it means and a
 * realistic example. docs/events is generated from the classes plus this; the generator
 * validates every example with parseEvent and refuses field notes for unknown fields.
 */
export interface EventDoc {
  /** Who publishes it (after "Published by"). */
  readonly publishedBy: string;
  /** One sentence: what the event means (the README table and the schema's description). */
  readonly meaning: string;
  /** More for the schema's description: how consumers treat it. */
  readonly details?: string;
  /** Notes on single fields, added as their `description`. */
  readonly fields?: Readonly<Record<string, string>>;
  /** Families: the concrete subject the example is published on (`report.daily`). */
  readonly exampleSubject?: string;
  /** A valid message body, as a publisher would send it. */
  readonly example: Readonly<Record<string, unknown>>;
}

/** Notes on the envelope fields every event carries. */
export const ENVELOPE_FIELD_NOTES: Readonly<Record<string, string>> = {
  schema: 'Payload schema version of this event type; readers accept 1 up to the current version.',
  id: 'Unique per logical event; published as the Nats-Msg-Id header so the stream drops duplicates.',
  at: 'When the event was built (RFC 3339 with a zone).',
  source:
    'Who built it: an agent, the CLI, a human, or `external` (a system outside the crew, on incident.reported).',
};

export const EVENT_DOCS: { readonly [K in FixedSubject | SubjectFamily]: EventDoc } = {
  'incident.reported': {
    publishedBy:
      "anyone outside the crew: a plain NATS client, a probe, the CLI, Alertmanager's webhook",
    meaning: '"This looks broken": the public intake of the crew.',
    details:
      'ops-monitor folds it into the fingerprint ledger (`service:symptom`) exactly like one of ' +
      'its own detections: identical reports make one incident with a count, one ticket, at ' +
      'most one remediation. The crew mints the incident id; the reporter correlates through ' +
      '`dedup_key`. A report for an unknown service is dead-lettered.',
    fields: {
      service: 'A watched service by name or alias (`cartservice` → `cart`).',
      symptom: 'What is wrong, as a snake_case token (`high_error_rate`, `high_latency`).',
      value:
        "The observed value, in the unit of the symptom's metric (error rate 0–1, latency in ms).",
      severity:
        "Without it, severity comes from the configured alerting bands for the symptom's metric.",
      threshold: 'The threshold the reporter compared against, in the same unit as `value`.',
      metric: 'The metric the value was read from.',
      reporter:
        'Who reports it: a short token naming the system (`alertmanager`, `billing-probe`).',
      dedup_key: "The reporter's own correlation key, kept on the incident.",
      status:
        '`firing` (the default) or `resolved`: a resolved report is recorded, never taken as proof of a fix.',
      summary: 'One human sentence: what the reporter saw. Treated as data, never as instructions.',
      evidence: 'Flat key/value facts (sample values, query windows).',
    },
    example: {
      service: 'cart',
      symptom: 'high_error_rate',
      value: 0.12,
      threshold: 0.05,
      metric: 'error_rate_ratio',
      reporter: 'billing-probe',
      dedup_key: 'billing-probe/cart/high_error_rate',
      status: 'firing',
      summary:
        'Checkout calls to cart fail with HTTP 503 for 12% of requests over the last 5 minutes.',
      evidence: { window_s: 300, requests: 1250, failed: 150, last_status: 503 },
      schema: 1,
      id: 'billing-probe-20250131T120000Z-cart',
      at: '2025-01-31T12:00:00.000Z',
      source: 'external',
    },
  },
  'incident.detected': {
    publishedBy:
      'ops-monitor (its detectors and folded reports), jira-resolver (tickets filed by hand)',
    meaning: 'A new incident: fingerprint, service, symptom, severity and evidence.',
    details:
      'jira-resolver picks a runbook for it; demo-controller scores it against running scenarios.',
    example: {
      incident_id: 'INC-20250131-001',
      fingerprint: 'cart:high_error_rate',
      service: 'cart',
      symptom: 'high_error_rate',
      severity: 'high',
      value: 0.12,
      threshold: 0.05,
      metric: 'error_rate_ratio',
      detected_at: '2025-01-31T12:00:04.210Z',
      evidence: { window_s: 300, p99_ms: 840.5, reporter: 'billing-probe' },
      schema: 1,
      id: 'incident.detected.INC-20250131-001',
      at: '2025-01-31T12:00:04.215Z',
      source: 'ops-monitor',
    },
  },
  'incident.updated': {
    publishedBy:
      'ops-monitor (dedup, severity), jira-resolver (lifecycle), atlas and `opscrew incident ack` (acknowledgements)',
    meaning: 'A lifecycle or dedup update of an open incident.',
    example: {
      incident_id: 'INC-20250131-001',
      fingerprint: 'cart:high_error_rate',
      phase: 'triaged',
      severity: 'high',
      count: 3,
      last_value: 0.09,
      peak_value: 0.14,
      note: 'runbook high_error_rate matched (symptom); restarting cart',
      schema: 1,
      id: 'incident.updated.INC-20250131-001.triaged.4f2a9c1e',
      at: '2025-01-31T12:00:09.480Z',
      source: 'jira-resolver',
    },
  },
  'incident.resolved': {
    publishedBy: 'jira-resolver, once metrics have verified a fix',
    meaning: 'An incident is closed, with the metrics that proved the fix.',
    example: {
      incident_id: 'INC-20250131-001',
      resolved_by: 'jira-resolver',
      note: 'restart_service fixed it: error rate back under 5% for 3 checks',
      verification: { checks: 3, error_rate_ratio: 0.004, latency_p99_ms: 212 },
      schema: 1,
      id: 'incident.resolved.INC-20250131-001.4f2a9c1e',
      at: '2025-01-31T12:04:31.002Z',
      source: 'jira-resolver',
    },
  },
  'incident.escalated': {
    publishedBy: "jira-resolver's escalation service",
    meaning: 'An incident goes to people: L1 automatic, L2 on-call mention, L3 lead.',
    example: {
      incident_id: 'INC-20250131-001',
      level: 'L2',
      reason: 'restart_service did not bring the error rate down after 2 attempts',
      mention: '@oncall-shop',
      schema: 1,
      id: 'incident.escalated.INC-20250131-001.L2',
      at: '2025-01-31T12:10:00.000Z',
      source: 'jira-resolver',
    },
  },
  'remediation.started': {
    publishedBy: 'jira-resolver',
    meaning: 'A runbook run began for an incident.',
    example: {
      incident_id: 'INC-20250131-001',
      run_id: '4f2a9c1e',
      service: 'cart',
      runbook: 'high_error_rate',
      mode: 'act',
      schema: 1,
      id: 'remediation.started.INC-20250131-001.4f2a9c1e',
      at: '2025-01-31T12:00:09.500Z',
      source: 'jira-resolver',
    },
  },
  'remediation.finished': {
    publishedBy: 'jira-resolver',
    meaning: "A runbook run ended: its outcome and each step's result.",
    example: {
      incident_id: 'INC-20250131-001',
      run_id: '4f2a9c1e',
      service: 'cart',
      runbook: 'high_error_rate',
      mode: 'act',
      outcome: 'succeeded',
      steps: [
        { action: 'check_logs', result: 'ok', detail: '37 lines match "503 Service Unavailable"' },
        { action: 'restart_service', result: 'ok' },
        { action: 'verify_metrics', result: 'ok', detail: 'error rate 0.4% for 3 checks' },
      ],
      schema: 1,
      id: 'remediation.finished.INC-20250131-001.4f2a9c1e',
      at: '2025-01-31T12:04:30.950Z',
      source: 'jira-resolver',
    },
  },
  'lock.acquired': {
    publishedBy: 'jira-resolver (restarts), demo-controller (load and fault scenarios)',
    meaning: 'Exclusive per-service work began (a load test, a restart).',
    details:
      'While a lock is held, anomalies on the service are recorded as informational, not remediated.',
    example: {
      service: 'cart',
      holder: 'demo-controller:7d3e5b20',
      revision: 42,
      expires_at: '2025-01-31T12:15:00.000Z',
      reason: 'scenario cart-load: 200 users for 10 minutes',
      schema: 1,
      id: 'lock.acquired.cart.42',
      at: '2025-01-31T12:05:00.000Z',
      source: 'demo-controller',
    },
  },
  'lock.released': {
    publishedBy: 'jira-resolver, demo-controller',
    meaning: 'Exclusive per-service work ended: released, expired or taken over.',
    example: {
      service: 'cart',
      holder: 'demo-controller:7d3e5b20',
      revision: 42,
      reason: 'released',
      schema: 1,
      id: 'lock.released.cart.42',
      at: '2025-01-31T12:15:02.118Z',
      source: 'demo-controller',
    },
  },
  'scenario.started': {
    publishedBy: 'demo-controller',
    meaning: 'Deliberate load or fault began, with its expected effect.',
    example: {
      scenario: 'cart-load',
      run_id: '7d3e5b20',
      services: ['cart', 'checkout'],
      expected: {
        symptoms: ['high_latency'],
        remediation_expected: false,
        informational_only: true,
      },
      duration_s: 600,
      schema: 1,
      id: 'scenario.started.cart-load.7d3e5b20',
      at: '2025-01-31T12:05:00.020Z',
      source: 'demo-controller',
    },
  },
  'scenario.finished': {
    publishedBy: 'demo-controller',
    meaning: 'A scenario ended: completed, aborted or failed.',
    example: {
      scenario: 'cart-load',
      run_id: '7d3e5b20',
      outcome: 'completed',
      note: 'p99 latency peaked at 910 ms; 1 informational detection',
      schema: 1,
      id: 'scenario.finished.cart-load.7d3e5b20',
      at: '2025-01-31T12:15:01.870Z',
      source: 'demo-controller',
    },
  },
  'agent.stale': {
    publishedBy: 'atlas',
    meaning: 'No heartbeat from an agent within its allowance.',
    example: {
      agent: 'jira-resolver',
      last_heartbeat_at: '2025-01-31T11:58:30.000Z',
      age_s: 92.4,
      max_age_s: 90,
      schema: 1,
      id: 'agent.stale.jira-resolver.2025-01-31T12:00:02.400Z',
      at: '2025-01-31T12:00:02.400Z',
      source: 'atlas',
    },
  },
  'agent.restarted': {
    publishedBy: 'atlas',
    meaning:
      'atlas acted on a stale agent once: restarted it through its runtime, could not, or gave up (restart loop).',
    example: {
      agent: 'ops-monitor',
      outcome: 'restarted',
      runtime: 'supervisor',
      last_heartbeat_at: '2025-01-31T11:58:30.000Z',
      old_pid: 4121,
      new_pid: 4388,
      restarts_in_window: 1,
      detail: 'restarted by the supervisor (pid 4121 → 4388)',
      schema: 1,
      id: 'agent.restarted.ops-monitor.2025-01-31T11-58-30.000Z',
      at: '2025-01-31T12:00:03.100Z',
      source: 'atlas',
    },
  },
  'command.restart': {
    publishedBy: 'atlas (the `/restart` ChatOps command, from Discord or `opscrew chat`)',
    meaning: 'A human asks the crew to restart one service.',
    details:
      'jira-resolver runs it through the same guardrails as a runbook restart (runtime policy, ' +
      'protected services, the service lease, cooldown and restarts per hour), audited with the ' +
      'human who asked, and answers on `command.result`. A redelivered request never restarts twice.',
    fields: {
      request_id: 'Correlates the answer; one request runs at most once.',
      requested_by: 'Who asked (the audit trail names them); the name is data, never instructions.',
      reason: 'Why, in the words of the human who asked.',
    },
    example: {
      request_id: '3f1c2a9e-6b7d-4e21-9c55-0a8f1d2b7e64',
      service: 'cart',
      requested_by: { via: 'discord', id: '284735193749618688', name: 'alice' },
      reason: 'cart pods stuck after the config rollout',
      schema: 1,
      id: 'command.restart.3f1c2a9e-6b7d-4e21-9c55-0a8f1d2b7e64',
      at: '2025-01-31T12:00:00.000Z',
      source: 'atlas',
    },
  },
  'command.result': {
    publishedBy: 'jira-resolver',
    meaning: "What a human's command did: done, refused or failed, in one sentence.",
    fields: {
      ok: '`true` when the command did what was asked; `false` when it was refused or failed.',
      text: 'The answer for the human (neutralised before it reaches Discord).',
    },
    example: {
      request_id: '3f1c2a9e-6b7d-4e21-9c55-0a8f1d2b7e64',
      command: 'restart',
      ok: true,
      text: 'restarted cart for alice (discord); new instance started 2025-01-31T12:00:04.120Z',
      schema: 1,
      id: 'command.result.3f1c2a9e-6b7d-4e21-9c55-0a8f1d2b7e64',
      at: '2025-01-31T12:00:04.300Z',
      source: 'jira-resolver',
    },
  },
  heartbeat: {
    publishedBy: 'every agent, on its own subject',
    meaning: 'An agent is alive: version, process, lag, last cycle.',
    exampleSubject: 'heartbeat.ops-monitor',
    example: {
      agent: 'ops-monitor',
      replica: 'ops-monitor-0',
      version: '0.1.0',
      pid: 4121,
      uptime_s: 3600.5,
      status: 'ok',
      last_cycle_at: '2025-01-31T11:59:55.000Z',
      lag_ms: 12,
      schema: 1,
      id: 'heartbeat.ops-monitor.2025-01-31T12:00:00.000Z',
      at: '2025-01-31T12:00:00.000Z',
      source: 'ops-monitor',
    },
  },
  report: {
    publishedBy: 'atlas, ops-monitor, demo-controller',
    meaning:
      'A human-facing report (daily, weekly, scenario, postmortem…), also sent to the notifier.',
    exampleSubject: 'report.daily',
    example: {
      kind: 'daily',
      title: 'ops-monitor daily report 2025-01-31',
      text: '4 incident(s) in the last 24 h (1 high, 3 medium); completeness 100.0 %, actionability 75.0 %, accuracy 100.0 %; 2880 cycles',
      fields: { incidents: 4, resolved: 3, escalated: 1 },
      schema: 1,
      id: 'report.daily.2025-01-31',
      at: '2025-01-31T23:59:00.000Z',
      source: 'ops-monitor',
    },
  },
  deadletter: {
    publishedBy: 'the agent owning the consumer, for a message it gave up on',
    meaning: 'A message a consumer could not process, so nothing is silently lost.',
    exampleSubject: 'deadletter.jira-resolver-incidents',
    example: {
      consumer: 'jira-resolver-incidents',
      subject: 'incident.detected',
      stream_seq: 1834,
      delivery_count: 1,
      reason: 'incident.detected: severity: must be one of critical, high, medium, low, info',
      raw: '{"incident_id":"INC-20250131-002","fingerprint":"cart:high_latency","severity":"urgent"}',
      received_at: '2025-01-31T12:01:10.000Z',
      schema: 1,
      id: 'deadletter.jira-resolver-incidents.1834',
      at: '2025-01-31T12:01:10.004Z',
      source: 'jira-resolver',
    },
  },
  audit: {
    publishedBy: 'each agent on its own subject; `opscrew` for the agent whose action it performs',
    meaning: 'One decision or action with its policy verdict.',
    exampleSubject: 'audit.jira-resolver',
    example: {
      agent: 'jira-resolver',
      action: 'restart_service',
      verdict: 'allowed',
      input_digest: 'sha256:9f2c4e1b7a0d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6',
      result: 'cart restarted (container healthy after 6 s)',
      revision: 43,
      schema: 1,
      id: 'audit.jira-resolver.4f2a9c1e.2',
      at: '2025-01-31T12:00:21.300Z',
      source: 'jira-resolver',
    },
  },
};

import {
  type AllowedAction,
  type EvidenceItem,
  type IncidentFacts,
  type ProposedAction,
  type TriageSummary,
} from './incident-reasoning.types';

/**
 * The deterministic reasoning used without a model: what an on-call engineer's
 * first minute looks like for each symptom, and the evidence patterns that
 * change the answer (an OOM kill, a refused connection downstream).
 */
interface SymptomRule {
  readonly cause: string;
  readonly checks: readonly string[];
  /** The remediation that usually cures it, when one does. */
  readonly action: 'restart_service' | null;
}

const SYMPTOM_RULES: Readonly<Record<string, SymptomRule>> = {
  high_error_rate: {
    cause:
      'the service is failing requests (5xx): a bad dependency, a failing feature flag or a stuck process',
    checks: [
      'recent logs for the first error of the burst',
      'feature flags changed recently',
      'health of its dependencies',
    ],
    action: 'restart_service',
  },
  error_rate_drift: {
    cause: 'errors are rising steadily: a resource slowly running out or a degrading dependency',
    checks: [
      'error trend per endpoint',
      'memory and connection counts over the last hour',
      'dependency latency',
    ],
    action: 'restart_service',
  },
  high_latency: {
    cause: 'requests are slow: saturation, a slow dependency or garbage-collection pressure',
    checks: [
      'p99 per endpoint and per dependency',
      'CPU and memory of the service',
      'request rate compared with the baseline',
    ],
    action: 'restart_service',
  },
  latency_drift: {
    cause: 'latency is creeping up: a leak or a growing queue',
    checks: [
      'memory growth since the last restart',
      'queue and pool sizes',
      'slowest traces of the last 15 minutes',
    ],
    action: 'restart_service',
  },
  high_memory: {
    cause: 'memory is close to its limit: a leak or an undersized limit',
    checks: [
      'memory growth since the last restart',
      'recent deploys or flag changes',
      'the container memory limit',
    ],
    action: 'restart_service',
  },
  oom_kill: {
    cause: 'the process was killed for exceeding its memory limit',
    checks: [
      'OOMKilled in the container state',
      'memory growth before the kill',
      'the memory limit against normal usage',
    ],
    action: 'restart_service',
  },
  container_crash: {
    cause: 'the process exited: a crash at start-up or a fatal error',
    checks: [
      'the last log lines before the exit',
      'exit code and restart count',
      'configuration and dependencies it needs at start',
    ],
    action: 'restart_service',
  },
  connection_pool_exhaustion: {
    cause: 'the connection pool is exhausted: leaked connections or a slow database',
    checks: [
      'open connections against the pool size',
      'slow queries on the database',
      'connection errors in the logs',
    ],
    action: 'restart_service',
  },
  dependency_failure: {
    cause: 'a dependency is failing; this service only reports it — restarting it will not help',
    checks: [
      'the failing dependency named in the errors',
      'that dependency\u2019s own incident',
      'network between the two',
    ],
    action: null,
  },
  traffic_drop: {
    cause: 'traffic fell sharply: an upstream outage, routing, or the load generator stopped',
    checks: [
      'the frontend and load balancer',
      'whether a load test just ended',
      'DNS and routing changes',
    ],
    action: null,
  },
  high_cpu: {
    cause: 'CPU is saturated: more load than capacity, or a hot loop',
    checks: [
      'request rate against the baseline',
      'profiles or the hottest endpoints',
      'recent deploys',
    ],
    action: null,
  },
};

const UNKNOWN_RULE: SymptomRule = {
  cause: 'an anomaly without a known pattern',
  checks: ['recent logs', 'recent changes (deploys, flags)', 'its dependencies'],
  action: null,
};

/** Evidence that overrides the symptom's usual story. */
const EVIDENCE_RULES: readonly {
  pattern: RegExp;
  cause: string;
  check: string;
  action: 'restart_service' | null;
}[] = [
  {
    pattern: /OOMKilled|out of memory|heap out of memory/i,
    cause: 'the process ran out of memory (OOM)',
    check: 'memory growth before the kill and the memory limit',
    action: 'restart_service',
  },
  {
    pattern:
      /ECONNREFUSED|connection refused|no healthy upstream|upstream connect error|UNAVAILABLE/,
    cause: 'a dependency refuses connections; restarting this service will not fix it',
    check: 'the dependency named in the connection errors',
    action: null,
  },
  {
    pattern: /flag|feature.?toggle/i,
    cause: 'a feature flag is making the service fail',
    check: 'the flag file and its recent changes',
    action: null,
  },
];

function matchingEvidence(evidence: readonly EvidenceItem[]) {
  return EVIDENCE_RULES.find((rule) => evidence.some((item) => rule.pattern.test(item.text)));
}

export function rulesTriage(
  incident: IncidentFacts,
  evidence: readonly EvidenceItem[],
): TriageSummary {
  const rule = SYMPTOM_RULES[incident.symptom] ?? UNKNOWN_RULE;
  const found = matchingEvidence(evidence);
  const measured =
    incident.threshold !== undefined
      ? ` (${incident.metric ?? incident.symptom} ${incident.value} against a threshold of ${incident.threshold})`
      : ` (${incident.metric ?? incident.symptom} ${incident.value})`;
  const cause = found ? found.cause : rule.cause;
  const checks = found ? [found.check, ...rule.checks] : [...rule.checks];
  return {
    probable_cause: `${incident.service}: ${cause}${measured}`,
    what_to_check: checks.map((check) => `${incident.service}: ${check}`),
  };
}

/**
 * The rules' proposal: the symptom's usual cure when the caller allows it and
 * no evidence says it would not help; else null (escalate).
 */
export function rulesProposal(
  incident: IncidentFacts,
  evidence: readonly EvidenceItem[],
  allowed: readonly AllowedAction[],
): ProposedAction | null {
  const found = matchingEvidence(evidence);
  const action = found ? found.action : (SYMPTOM_RULES[incident.symptom] ?? UNKNOWN_RULE).action;
  if (action === null) return null;
  const spec = allowed.find((a) => a.action === action);
  if (spec === undefined) return null;
  const params: Record<string, string> = {};
  if (spec.params && 'service' in spec.params) params.service = incident.service;
  return { action, params };
}

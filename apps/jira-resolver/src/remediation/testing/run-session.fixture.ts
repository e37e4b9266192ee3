import { type RunbookConfig, type RunbooksConfig, type RunbookStepConfig } from '@opscrew/config';
import { type RemediationRunRecord } from '@opscrew/contracts';
import {
  type MetricsSnapshot,
  type MetricsSource,
  type ServiceSample,
} from '@opscrew/integrations';
import { LostRunError, type RunSession } from '../run/run-session';
import { REMEDIATION_START } from './remediation.fakes';

/** A run record as the use-case specs start from: `checkout`, high error rate, attempt 1. */
export function runRecord(overrides: Partial<RemediationRunRecord> = {}): RemediationRunRecord {
  return {
    incident_id: 'INC-20261124-001',
    run_id: 'r1',
    attempt: 1,
    service: 'checkout',
    symptom: 'high_error_rate',
    severity: 'high',
    mode: 'act',
    state: 'queued',
    runbook: null,
    step_index: 0,
    steps: [],
    evidence: 'not collected yet',
    owner: 'resolver-a',
    owner_until: REMEDIATION_START,
    created_at: REMEDIATION_START,
    updated_at: REMEDIATION_START,
    next_at: REMEDIATION_START,
    ...overrides,
  };
}

/**
 * A session without a store: every save is kept in `saves` and becomes `run`. `loseAfter`
 * saves, the next one throws LostRunError (another replica moved the run on).
 */
export class MemorySession implements RunSession {
  readonly saves: RemediationRunRecord[] = [];
  loseAfter = Number.POSITIVE_INFINITY;
  readonly caller = { agent: 'jira-resolver', reason: 'spec', incident_id: 'INC-20261124-001' };

  constructor(public run: RemediationRunRecord) {}

  save(next: RemediationRunRecord): Promise<void> {
    if (this.saves.length >= this.loseAfter) {
      return Promise.reject(
        new LostRunError(`run ${next.incident_id} moved on in another replica`),
      );
    }
    this.saves.push(next);
    this.run = next;
    return Promise.resolve();
  }
}

/** Metrics that answer the queued snapshots in order, then the last one again. */
export class QueuedMetrics implements Pick<MetricsSource, 'collect'> {
  readonly asked: string[][] = [];
  private readonly queue: MetricsSnapshot[] = [];

  /** One sample for `service` (a healthy one unless overridden). */
  sample(service: string, overrides: Partial<ServiceSample> = {}): this {
    this.queue.push({
      at: REMEDIATION_START,
      samples: [
        {
          service,
          at: REMEDIATION_START,
          window_s: 30,
          request_rate_rps: 20,
          error_rate_ratio: 0.001,
          latency_p99_ms: 120,
          ...overrides,
        },
      ],
      missing: [],
    });
    return this;
  }

  /** Nothing measured for `service`, for `reason`. */
  missing(service: string, reason: string): this {
    this.queue.push({ at: REMEDIATION_START, samples: [], missing: [{ service, reason }] });
    return this;
  }

  collect(services: readonly string[]): Promise<MetricsSnapshot> {
    this.asked.push([...services]);
    const next = this.queue.length > 1 ? this.queue.shift() : this.queue[0];
    return Promise.resolve(next ?? { at: REMEDIATION_START, samples: [], missing: [] });
  }
}

/** A catalog holding the given runbooks only (config validation is the config lib's business). */
export function catalogOf(runbooks: Record<string, Partial<RunbookConfig>>): {
  runbooks: RunbooksConfig;
} {
  const patterns = new Map<string, RunbookConfig>(
    Object.entries(runbooks).map(([name, partial]) => [
      name,
      {
        description: name,
        severity: 'high',
        match: { symptoms: ['high_error_rate'], evidence: [] },
        actions: [] as RunbookStepConfig[],
        ...partial,
      },
    ]),
  );
  return { runbooks: { patterns } };
}

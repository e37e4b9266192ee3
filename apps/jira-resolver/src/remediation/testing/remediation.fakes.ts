import {
  FIRST_SCRAPE_REASON,
  type Fencing,
  type LogLines,
  type MetricsSnapshot,
  type MetricsSource,
  type RestartOutcome,
  type RuntimeCaller,
  type RuntimeDriver,
  type RuntimeInspection,
  RuntimeRefusedError,
  type RuntimePort,
  type ServiceSample,
} from '@opscrew/integrations';
import { type ManualClock } from '@opscrew/testing';
import { type EscalationLike, type ReopenOutcome } from '../remediation.deps';

/** Where the remediation tests' clock starts (the fixtures' incidents are of that morning). */
export const REMEDIATION_START = '2026-11-24T10:00:00.000Z';

/**
 * A runtime whose services "restart" by moving their start time, with a
 * fencing check like the real sandboxed runtime, and a crash switch that
 * restarts the service and then dies before answering (a kill -9 mid-call).
 */
export class FakeRuntime implements RuntimePort {
  readonly kind = 'process' as const;
  readonly restarts: { service: string; revision: number; at: string }[] = [];
  crashAfterRestart = false;
  observe = false;
  private readonly started = new Map<string, string>();
  logLines: string[] = ['INFO ok', 'ERROR upstream returned 500'];

  constructor(
    private readonly clock: ManualClock,
    private readonly fencing: (key: string, revision: number) => Promise<boolean>,
  ) {}

  inspect(service: string, _caller: RuntimeCaller): Promise<RuntimeInspection> {
    return Promise.resolve({
      service,
      id: `${service}-id`,
      name: service,
      running: true,
      status: 'running',
      oom_killed: false,
      exit_code: null,
      health: 'none',
      started_at: this.started.get(service) ?? '2026-11-24T09:00:00.000Z',
      restart_count: this.restarts.filter((r) => r.service === service).length,
    });
  }

  logs(service: string, _tail: number, _caller: RuntimeCaller): Promise<LogLines> {
    return Promise.resolve({
      service,
      lines: this.logLines.map((text) => ({ stream: 'stdout' as const, text })),
    });
  }

  async restart(
    service: string,
    fencing: Fencing,
    _caller: RuntimeCaller,
  ): Promise<RestartOutcome> {
    if (!(await this.fencing(fencing.key, fencing.revision))) {
      throw new RuntimeRefusedError(
        'restart',
        service,
        `stale fencing token: lease ${fencing.key} is at a newer revision`,
      );
    }
    if (this.observe) return { service, started_at: null, dry_run: true };
    const at = this.restartNow(service, fencing.revision);
    if (this.crashAfterRestart) {
      this.crashAfterRestart = false;
      throw new Error('resolver killed mid-restart');
    }
    return { service, started_at: at, dry_run: false };
  }

  /**
   * The same services as a raw driver, for tests that put the real
   * SandboxedRuntime (policy, protected list, fencing, audit) in front of it.
   * The driver is told no revision (SandboxedRuntime checked it): recorded as 0.
   */
  driver(): RuntimeDriver {
    const caller: RuntimeCaller = { agent: 'jira-resolver', reason: 'driver', incident_id: '' };
    return {
      kind: 'process',
      inspect: (target) => this.inspect(target.service, caller),
      logs: (target, tail) => this.logs(target.service, tail, caller),
      restart: (target) => Promise.resolve({ started_at: this.restartNow(target.service, 0) }),
    };
  }

  private restartNow(service: string, revision: number): string {
    const at = this.clock.iso();
    this.started.set(service, at);
    this.restarts.push({ service, revision, at });
    return at;
  }

  execute(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }

  restartedAt(service: string): number | undefined {
    const at = this.started.get(service);
    return at ? Date.parse(at) : undefined;
  }
}

/** Metrics that are bad until the service restarts, or always bad (a flag-driven fault). */
export class ScriptedMetrics implements MetricsSource {
  readonly kind = 'scripted';
  curable = true;
  /** Collects still to answer "first scrape" (a window not open yet), as the scrape source does. */
  windowsPending = 0;
  /** Overrides of the next samples (a latency creep, a load change), per service. */
  override: (service: string) => Partial<ServiceSample> = () => ({});

  constructor(
    private readonly runtime: FakeRuntime,
    private readonly clock: ManualClock,
  ) {}

  collect(services: readonly string[]): Promise<MetricsSnapshot> {
    if (this.windowsPending > 0) {
      this.windowsPending--;
      return Promise.resolve({
        at: this.clock.iso(),
        samples: [],
        missing: services.map((service) => ({ service, reason: FIRST_SCRAPE_REASON })),
      });
    }
    const samples: ServiceSample[] = services.map((service) => {
      const healthy = this.curable && this.runtime.restartedAt(service) !== undefined;
      return {
        service,
        at: this.clock.iso(),
        window_s: 1,
        request_rate_rps: 20,
        error_rate_ratio: healthy ? 0.001 : 0.25,
        latency_p99_ms: healthy ? 120 : 900,
        ...this.override(service),
      };
    });
    return Promise.resolve({ at: this.clock.iso(), samples, missing: [] });
  }
}

export class RecordingEscalation implements EscalationLike {
  readonly calls: string[] = [];
  open(incident: { incident_id: string }): Promise<void> {
    this.calls.push(`open ${incident.incident_id}`);
    return Promise.resolve();
  }
  escalateNow(incidentId: string, reason: string): Promise<void> {
    this.calls.push(`escalate ${incidentId}: ${reason}`);
    return Promise.resolve();
  }
  /** Terms started per incident (the first is 1), and the recurrence that started the last. */
  private readonly terms = new Map<string, { term: number; term_key: string }>();
  reopen(incidentId: string, key: string): Promise<ReopenOutcome> {
    this.calls.push(`reopen ${incidentId} ${key}`);
    const current = this.terms.get(incidentId);
    if (current?.term_key === key)
      return Promise.resolve({ outcome: 'unchanged', record: current });
    const record = { term: (current?.term ?? 1) + 1, term_key: key };
    this.terms.set(incidentId, record);
    return Promise.resolve({ outcome: 'reopened', record });
  }
  close(incidentId: string, how: string): Promise<void> {
    this.calls.push(`close ${incidentId} ${how}`);
    return Promise.resolve();
  }
}

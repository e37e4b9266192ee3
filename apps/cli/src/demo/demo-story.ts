// Over ~300 lines: the demo's story read top to bottom: one method per step (normal traffic, the flag, each
// restart-curable fault, the stress test) with its expectations; the set-up is in demo-environment.ts.
import { type IncidentRecord } from '@opscrew/contracts';
import { type DemoObserver, poll } from './demo-observer';

/** One expectation of the story: what the crew should have done, and whether it did. */
export interface Expectation {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface FaultRecord {
  readonly name: string;
  readonly service: string;
  readonly injected_at: string;
  /** The incident the fault opened (null: none was seen); its fields as the ledger types them. */
  readonly incident_id: IncidentRecord['incident_id'] | null;
  readonly detected_at: IncidentRecord['detected_at'] | null;
  readonly detection_latency_s: number | null;
  readonly resolved_at: string | null;
  readonly mttr_s: number | null;
  readonly escalated_at: string | null;
  readonly restarts: number;
  readonly outcome: string;
}

export interface StepResult {
  readonly name: string;
  readonly started_at: string;
  readonly finished_at: string;
  readonly expectations: readonly Expectation[];
  readonly fault?: FaultRecord;
}

export interface ScenarioStarter {
  /** Starts a demo-controller scenario; resolves when it was accepted (it then runs by itself). */
  run(
    name: string,
    durationScale: number,
  ): Promise<{ run_id: string; ends_at: string; locked: readonly string[] }>;
  /** Resolves when no scenario is running any more. */
  waitIdle(timeoutMs: number): Promise<boolean>;
}

export type Progress = (line: string) => void;

/** A restart-curable fault the story injects through one of demo-controller's scenarios. */
export interface RestartCurableFault {
  /** The step's name in the report. */
  readonly name: string;
  readonly scenario: string;
  /** The shop's fault (`memory_leak`, `latency_creep`, `connection_pool_exhaustion`). */
  readonly fault: string;
  /** The faulty service: the only one the crew may restart. */
  readonly service: string;
  /**
   * The services that call it (config/project/services, depends_on): their symptoms belong to
   * its incident. (Others may have anomalies of their own meanwhile; they are not this fault's.)
   */
  readonly callers: readonly string[];
  /** The progress line that introduces the step. */
  readonly intro: string;
  /**
   * The fraction of the scenario's configured duration (120 s) the story runs: long enough for
   * detection, the runbook and verification before the scenario's end clears the fault (a
   * latency creep is seen once its callers time out, and its runbook reads the trend for 10 s).
   */
  readonly scale: number;
}

/** The three faults a restart cures, as the story tells them. */
export const RESTART_CURABLE_FAULTS: readonly RestartCurableFault[] = [
  {
    name: 'memory leak in recommendation',
    scenario: 'recommendation_memory_leak',
    fault: 'memory_leak',
    service: 'recommendation',
    callers: ['frontend'],
    scale: 0.25,
    intro:
      'memory leak in recommendation: restart-curable — the crew should restart it, prove the fix with metrics and close the ticket',
  },
  {
    name: 'latency creep in shipping',
    scenario: 'shipping_latency_creep',
    fault: 'latency_creep',
    service: 'shipping',
    callers: ['checkout', 'frontend'],
    scale: 0.45,
    intro:
      "latency creep in shipping: it shows first as checkout's timeouts — the crew should blame shipping, restart shipping (not checkout) and page nobody",
  },
  {
    name: 'connection pool exhaustion in product-catalog',
    scenario: 'product_catalog_pool_exhaustion',
    fault: 'connection_pool_exhaustion',
    service: 'product-catalog',
    callers: ['frontend', 'recommendation', 'checkout'],
    scale: 0.2,
    intro:
      'connection pool exhaustion in product-catalog: its callers fail with it — the crew should restart product-catalog once and close the ticket',
  },
];

/** How long a fault waits for the crew to finish what it is working on. */
const QUIET_WAIT_MS = 45_000;

/** How long a restart-curable fault may take from detection to resolved: the demo's L1. */
const RESOLUTION_WAIT_MS = 90_000;

/**
 * When an incident was seen for a fault begun at `since`: its detection, or its reopening — a
 * recurrence within the reopen window folds into the resolved incident of the same fingerprint
 * (e.g. a short sibling incident on the faulty service a step earlier), which the crew then
 * works again. Null when neither happened since then.
 */
export function seenSince(incident: IncidentRecord, since: string): string | null {
  if (incident.detected_at >= since) return incident.detected_at;
  return incident.history.find((step) => step.phase === 'reopened' && step.at >= since)?.at ?? null;
}

const seconds = (from: string, to: string | null): number | null =>
  to ? Math.round((Date.parse(to) - Date.parse(from)) / 100) / 10 : null;

/**
 * The story `npm run demo` tells, step by step, each with what the crew must
 * do (and the check that it did): normal traffic stays quiet; a cart failure a
 * restart cannot cure is escalated to the on-call engineer; three faults a
 * restart cures (a memory leak, a latency creep seen first in its callers, a
 * leaking connection pool) are each restarted away on the right service, proven
 * fixed, and page nobody; a deliberate stress test holds the locks and nothing is
 * restarted under it.
 */
export class DemoStory {
  constructor(
    private readonly observer: DemoObserver,
    private readonly scenarios: ScenarioStarter,
    private readonly progress: Progress,
    /** Aborted on Ctrl-C: every wait ends at once. */
    private readonly signal?: AbortSignal,
  ) {}

  async normalTraffic(scale: number): Promise<StepResult> {
    const started = new Date().toISOString();
    this.progress('▶ normal traffic: the crew should stay quiet');
    await this.scenarios.run('normal', scale);
    await this.scenarios.waitIdle(60_000);
    const opened = (await this.observer.incidents()).filter(
      (incident) => incident.detected_at >= started && !incident.informational,
    );
    const ok = opened.length === 0;
    this.progress(
      ok
        ? '  ✔ no incident under normal traffic'
        : `  ✘ ${opened.length} incident(s) under normal traffic: ${describe(opened)}`,
    );
    return {
      name: 'normal traffic',
      started_at: started,
      finished_at: new Date().toISOString(),
      expectations: [
        {
          what: 'no incident under normal traffic (no false positive)',
          ok,
          detail: ok ? 'none' : describe(opened),
        },
      ],
    };
  }

  async cartFailure(scale: number): Promise<StepResult> {
    const started = new Date().toISOString();
    const before = (await this.observer.restarts()).cart ?? 0;
    this.progress(
      '▶ flagd cartFailure on: cart fails; a restart cannot cure a flag — the crew should try once, then page the on-call engineer (L2)',
    );
    const run = await this.scenarios.run('flagd_cart_failure', scale);
    const incident = await poll(
      async () =>
        this.find('cart', started, (i) =>
          ['high_error_rate', 'error_rate_drift'].includes(i.symptom),
        ),
      30_000,
      250,
      this.signal,
    );
    if (incident)
      this.progress(
        `  ✔ ${incident.incident_id} detected ${seconds(started, incident.detected_at) ?? '?'} s after the flag (${incident.severity})`,
      );
    const escalated = incident
      ? await poll(
          async () =>
            this.find(
              'cart',
              started,
              (i) => i.incident_id === incident.incident_id && i.phase === 'escalated',
            ),
          45_000,
          250,
          this.signal,
        )
      : undefined;
    const page = incident
      ? await poll(
          () =>
            Promise.resolve(
              this.observer
                .notifications()
                .find((line) => line.idempotency_key === `escalation:${incident.incident_id}:L2`),
            ),
          10_000,
          250,
          this.signal,
        )
      : undefined;
    const restarts = ((await this.observer.restarts()).cart ?? 0) - before;
    if (escalated)
      this.progress(
        `  ✔ restart did not cure it (${restarts} restart), escalated to L2${page ? ': on-call paged' : ''}`,
      );
    this.progress('  … flag cleared when the scenario ends');
    await this.scenarios.waitIdle(Math.max(0, Date.parse(run.ends_at) - Date.now()) + 30_000);
    const escalatedAt = escalated?.history.find((step) => step.phase === 'escalated')?.at ?? null;
    return {
      name: 'cartFailure flag',
      started_at: started,
      finished_at: new Date().toISOString(),
      expectations: [
        {
          what: 'cart incident detected',
          ok: incident !== undefined,
          detail: incident?.incident_id ?? 'no incident within 30 s',
        },
        {
          what: 'exactly one restart attempt',
          ok: restarts === 1,
          detail: `${restarts} restart(s) of cart`,
        },
        {
          what: 'escalated (restart does not cure a flag)',
          ok: escalated !== undefined,
          detail: escalated ? `phase ${escalated.phase}` : 'not escalated within 45 s',
        },
        {
          what: 'on-call engineer paged once at L2',
          ok: page !== undefined && this.pages(incident?.incident_id, 'L2') === 1,
          detail: `${this.pages(incident?.incident_id, 'L2')} L2 page(s)`,
        },
      ],
      fault: {
        name: 'cartFailure',
        service: 'cart',
        injected_at: started,
        incident_id: incident?.incident_id ?? null,
        detected_at: incident?.detected_at ?? null,
        detection_latency_s: incident ? seconds(started, incident.detected_at) : null,
        resolved_at: null,
        mttr_s: null,
        escalated_at: escalatedAt,
        restarts,
        outcome: escalated ? 'escalated to L2 (not restart-curable)' : 'not escalated',
      },
    };
  }

  /**
   * A fault a restart cures: the crew must open one incident on the faulty service (its callers'
   * symptoms attached as impact, not opened as theirs), restart that service once and nothing
   * else, prove the fix with metrics, close the ticket — and page nobody.
   */
  async restartCurable(fault: RestartCurableFault): Promise<StepResult> {
    const { service } = fault;
    await this.quiet();
    const started = new Date().toISOString();
    const before = await this.observer.restarts();
    this.progress(`▶ ${fault.intro}`);
    await this.scenarios.run(fault.scenario, fault.scale);
    const incident = await poll(
      async () => this.find(service, started, () => true),
      40_000,
      250,
      this.signal,
    );
    const seenAt = incident ? seenSince(incident, started) : null;
    if (incident)
      this.progress(
        `  ✔ ${incident.incident_id} ${incident.detected_at >= started ? 'detected' : 'reopened'} ${seconds(started, seenAt) ?? '?'} s after the fault began (${incident.symptom}, ${incident.severity})`,
      );
    const resolved = incident
      ? await poll(
          async () =>
            this.find(
              service,
              started,
              (i) => i.incident_id === incident.incident_id && i.phase === 'resolved',
            ),
          // The demo's L1 (automatic remediation) lasts 90 s: a fix within it pages nobody.
          RESOLUTION_WAIT_MS,
          250,
          this.signal,
        )
      : undefined;
    const after = await this.observer.restarts();
    const restarts = (after[service] ?? 0) - (before[service] ?? 0);
    const others = Object.entries(after)
      .filter(([name, count]) => name !== service && count > (before[name] ?? 0))
      .map(([name]) => name);
    const ticket = incident
      ? (await this.observer.tickets()).find((entry) => entry.incident_id === incident.incident_id)
      : undefined;
    // The resolution of this fault (a reopened incident also carries its earlier one).
    const resolvedAt =
      resolved?.history.find((step) => step.phase === 'resolved' && step.at >= (seenAt ?? started))
        ?.at ?? null;
    if (resolved)
      this.progress(
        `  ✔ ${service} restarted, verified with metrics, resolved ${seconds(seenAt ?? started, resolvedAt) ?? '?'} s after detection; ticket ${ticket?.key ?? '?'} ${ticket?.status ?? ''}`,
      );
    const impact = (resolved ?? incident)?.impact ?? [];
    if (impact.length)
      this.progress(
        `  ✔ its callers' symptoms attached as impact, not opened as their own: ${impact.map((entry) => `${entry.service} ${entry.symptom}`).join(', ')}`,
      );
    const comments = ticket ? await this.observer.comments(ticket.key) : [];
    const triaged = comments.some((text) => text.startsWith('Detection triage ('));
    if (triaged) this.progress(`  ✔ ${ticket?.key ?? '?'} carries ops-monitor's detection triage`);
    // atlas drafts the postmortem once the incident has ended (its own consumer, seconds later).
    const postmortem =
      incident && resolved
        ? await poll(
            async () => (await this.observer.postmortem(incident.incident_id)) ?? undefined,
            15_000,
            250,
            this.signal,
          )
        : undefined;
    if (incident && postmortem)
      this.progress(
        `  ✔ postmortem drafted: GET /incidents/${incident.incident_id}/postmortem (var/postmortems/${incident.incident_id}.md)`,
      );
    await this.scenarios.waitIdle(60_000);
    const mine = (await this.incidentsSince(started)).filter(
      (entry) => entry.service === service || fault.callers.includes(entry.service),
    );
    // Pages for this fault only: an earlier step's escalation chain may still page its next level.
    const pages = mine.reduce((sum, entry) => sum + this.pagesFor(entry.incident_id), 0);
    const others2 = mine.filter((entry) => entry.service !== service);
    return {
      name: fault.name,
      started_at: started,
      finished_at: new Date().toISOString(),
      expectations: [
        {
          what: `${service} incident detected`,
          ok: incident !== undefined,
          detail: incident
            ? `${incident.incident_id} ${incident.symptom}`
            : 'no incident within 40 s',
        },
        {
          what: `one incident, on ${service}: none for its callers (their symptoms are its impact)`,
          ok: others2.length === 0,
          detail: others2.length ? `also: ${describe(others2)}` : 'one',
        },
        {
          what: `${service} restarted exactly once, nothing else restarted`,
          ok: restarts === 1 && others.length === 0,
          detail: `${restarts} restart(s) of ${service}${others.length ? `; also restarted: ${others.join(', ')}` : ''}`,
        },
        {
          what: 'verified with metrics and resolved',
          ok: resolved !== undefined,
          detail: resolved ? 'resolved' : `not resolved within ${RESOLUTION_WAIT_MS / 1000} s`,
        },
        {
          what: 'ticket Done',
          ok: ticket?.status === 'done',
          detail: ticket ? `${ticket.key} ${ticket.status}` : 'no ticket',
        },
        { what: 'nobody paged', ok: pages === 0, detail: `${pages} page(s)` },
        {
          what: 'ticket carries the detection triage',
          ok: triaged,
          detail: triaged
            ? 'probable cause and what to check'
            : `${comments.length} comment(s), no triage`,
        },
        {
          what: 'postmortem drafted',
          ok: postmortem?.startsWith('# Postmortem (draft)') === true,
          detail: postmortem
            ? `var/postmortems/${incident?.incident_id ?? '?'}.md`
            : 'no draft within 15 s of the resolution',
        },
      ],
      fault: {
        name: fault.fault,
        service,
        injected_at: started,
        incident_id: incident?.incident_id ?? null,
        detected_at: seenAt,
        detection_latency_s: seenAt ? seconds(started, seenAt) : null,
        resolved_at: resolvedAt,
        mttr_s: seenAt && resolvedAt ? seconds(seenAt, resolvedAt) : null,
        escalated_at: null,
        restarts,
        outcome: resolved ? 'restarted and verified' : 'not resolved',
      },
    };
  }

  async stressTest(scale: number): Promise<StepResult> {
    const started = new Date().toISOString();
    const before = await this.observer.restarts();
    this.progress(
      '▶ stress test: deliberate load holds every service lock — anomalies stay informational, nothing is restarted',
    );
    const run = await this.scenarios.run('stress', scale);
    this.progress(`  … holding the lock on ${run.locked.length} service(s)`);
    await this.scenarios.waitIdle(Math.max(0, Date.parse(run.ends_at) - Date.now()) + 30_000);
    const after = await this.observer.restarts();
    const restarted = Object.entries(after)
      .filter(([name, count]) => count > (before[name] ?? 0))
      .map(([name]) => name);
    const during = (await this.observer.incidents()).filter(
      (incident) =>
        incident.detected_at >= started && incident.detected_at <= new Date().toISOString(),
    );
    const actionable = during.filter(
      (incident) => !incident.informational && run.locked.includes(incident.service),
    );
    this.progress(
      `  ${restarted.length === 0 ? '✔' : '✘'} ${restarted.length} restart(s) under the lock; ${during.filter((i) => i.informational).length} informational sighting(s)`,
    );
    return {
      name: 'stress test',
      started_at: started,
      finished_at: new Date().toISOString(),
      expectations: [
        {
          what: 'locks held for the load',
          ok: run.locked.length > 0,
          detail: `${run.locked.length} service(s) locked`,
        },
        {
          what: 'no restart during a held lock',
          ok: restarted.length === 0,
          detail: restarted.length ? `restarted: ${restarted.join(', ')}` : '0 restarts',
        },
        {
          what: 'anomalies of locked services informational only',
          ok: actionable.length === 0,
          detail: actionable.length
            ? describe(actionable)
            : `${during.length} sighting(s), none actionable`,
        },
      ],
    };
  }

  /** Pages (escalation notifications, any level) sent for one incident. */
  private pagesFor(incidentId: string): number {
    return this.observer
      .notifications()
      .filter((line) => line.idempotency_key.startsWith(`escalation:${incidentId}:`)).length;
  }

  private async incidentsSince(since: string): Promise<IncidentRecord[]> {
    return (await this.observer.incidents()).filter(
      (incident) => seenSince(incident, since) !== null && !incident.informational,
    );
  }

  private pages(incidentId: string | undefined, level: string): number {
    if (!incidentId) return 0;
    return this.observer
      .notifications()
      .filter((line) => line.idempotency_key === `escalation:${incidentId}:${level}`).length;
  }

  /**
   * Waits (bounded) until the crew works no incident: each fault begins on a quiet crew, so a
   * fault folds into its own incident, never into one still open from the step before (a load
   * surge after the last restart, a run still verifying). Escalated incidents are a human's.
   */
  private async quiet(): Promise<void> {
    const working = async (): Promise<IncidentRecord[]> =>
      (await this.observer.incidents()).filter(
        (incident) =>
          !incident.informational && !['resolved', 'escalated'].includes(incident.phase),
      );
    const settled = await poll(
      async () => ((await working()).length === 0 ? true : undefined),
      QUIET_WAIT_MS,
      250,
      this.signal,
    );
    if (!settled)
      this.progress(
        `  … still worked after ${QUIET_WAIT_MS / 1000} s, going on: ${describe(await working())}`,
      );
  }

  private async find(
    service: string,
    since: string,
    match: (incident: IncidentRecord) => boolean,
  ): Promise<IncidentRecord | undefined> {
    return (await this.observer.incidents()).find(
      (incident) =>
        incident.service === service &&
        seenSince(incident, since) !== null &&
        !incident.informational &&
        match(incident),
    );
  }
}

function describe(incidents: readonly IncidentRecord[]): string {
  return incidents
    .map((incident) => `${incident.incident_id} ${incident.service} ${incident.symptom}`)
    .join(', ');
}

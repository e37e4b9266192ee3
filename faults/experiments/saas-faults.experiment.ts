import { account, type InjectedFault } from '../fault-accounting';
import { TARGET_SERVICES } from '../fault-world';
import { RestartSampler } from '../restart-sampler';
import {
  checkAborted,
  type Experiment,
  type ExperimentContext,
  type ExperimentOutcome,
  sleep,
} from '../experiment';

/** After the faults end, every incident ends and every outbox item is delivered within this. */
const DELIVERY_BOUND_MS = 240_000;
/** The crew's Jira timeout is 10 s, Discord's 5 s: a hang of 12 s is a timeout for both. */
const HANG_MS = 12_000;

/**
 * (d) Jira and Discord misbehave for a while — 429 with Retry-After, 500, requests that hang
 * past the client's timeout, and one success whose answer never arrives — while incidents are
 * reported; then they recover. Every ticket must exist once and every notification be
 * delivered once: a Discord webhook has no idempotency key, so a message repeated after a
 * timed-out success is counted apart (at_least_once_repeats, at most one per such timeout).
 */
export const saasFaultsExperiment: Experiment = {
  name: 'saas-faults',
  title: 'Jira and Discord: 429 Retry-After, 500, timeouts, then recovery',
  async run(context: ExperimentContext): Promise<ExperimentOutcome> {
    const windowMs = context.short ? 15_000 : 60_000;
    const incidents = context.short ? 3 : 6;
    const world = await context.world({ saas: true });
    const { environment } = world;
    const saas = world.saas;
    if (saas === null) throw new Error('saas-faults: the world has no contract servers');
    const sampler = new RestartSampler(() => environment.observer.restarts());
    await sampler.start();
    const from = Date.now();
    const injected: InjectedFault[] = [];
    const phase = Math.floor(windowMs / 3);
    // In order: each rule's clock starts at the first request it answers, so the three phases
    // follow each other; the lone timed-out success comes first.
    // The success whose answer never arrives hits what must not be repeated: creating the issue
    // (Jira's search by idempotency key must find it), sending the message (no key: at least once).
    const creates = [
      [saas.jira, 'createIssue'],
      [saas.discord, 'execute_webhook'],
    ] as const;
    for (const [server, operation] of creates) {
      server.faults
        .add({ operation, times: 1, action: { kind: 'timeout-after-success', ms: HANG_MS } })
        .add({
          forMs: phase,
          action: { kind: 'respond', status: 429, headers: { 'retry-after': '2' }, body: {} },
        })
        .add({ forMs: phase, action: { kind: 'respond', status: 500, body: {} } })
        .add({ forMs: phase, action: { kind: 'hang', ms: HANG_MS } });
    }
    const faultStart = Date.now();
    try {
      for (let n = 0; n < incidents; n++) {
        checkAborted(context.signal);
        const service = TARGET_SERVICES[n % TARGET_SERVICES.length] ?? 'cart';
        injected.push(await world.inject(`faults-saas-${n}-${Date.now().toString(36)}`, service));
        await sleep(Math.floor(windowMs / incidents), context.signal);
      }
      const left = faultStart + windowMs - Date.now();
      if (left > 0) await sleep(left, context.signal);
      context.say(
        `  faults over after ${Math.round((Date.now() - faultStart) / 1000)} s; waiting for delivery`,
      );
      saas.jira.faults.clear();
      saas.discord.faults.clear();
      const faultEnd = Date.now();
      await world.allFinal(
        injected.map((fault) => fault.dedup_key),
        DELIVERY_BOUND_MS,
      );
      const healthy = await world.crewHealthy();
      const recoverS = healthy === null ? Number.NaN : (Date.now() - faultEnd) / 1000;
      // An incident can end before its ticket exists: the ticket waits out the outbox's backoff,
      // which grew with every failed attempt of the outage (a 60 s outage: retries ~30 s apart).
      // Waited for, bounded, and the wait reported — a fixed pause called late tickets missing.
      const missing = async (): Promise<number> => {
        const ledger = await world.ledger();
        const ticketed = new Set(
          saas.tickets(ledger.map((incident) => incident.incident_id)).map((t) => t.incident_id),
        );
        return ledger.filter(
          (incident) =>
            injected.some((fault) => incident.dedup_keys.includes(fault.dedup_key)) &&
            !ticketed.has(incident.incident_id),
        ).length;
      };
      while ((await missing()) > 0 && Date.now() - faultEnd < DELIVERY_BOUND_MS) {
        await sleep(1_000, context.signal);
      }
      const ticketsS = (Date.now() - faultEnd) / 1000;
      // Stragglers: a late duplicate would come from a retry on the outbox's own schedule.
      await sleep(10_000, context.signal);
      await sampler.stop();
      const ledger = await world.ledger();
      const ids = ledger.map((incident) => incident.incident_id);
      const figures = account({
        injected,
        incidents: ledger,
        tickets: saas.tickets(ids),
        restarts: sampler.restarts,
        notifications: saas.notifications(),
        window: { from, to: Date.now() },
      });
      const ours = ledger.filter((incident) =>
        injected.some((fault) => incident.dedup_keys.includes(fault.dedup_key)),
      );
      const ticketed = new Set(saas.tickets(ids).map((ticket) => ticket.incident_id));
      const missingTickets = ours.filter((incident) => !ticketed.has(incident.incident_id)).length;
      return {
        rounds: incidents,
        figures,
        recover_s: [recoverS],
        details: {
          fault_window_s: windowMs / 1000,
          faults_served: saas.faultsServed(),
          jira_requests: saas.jira.requests.length,
          discord_requests: saas.discord.requests.length,
          incidents_without_ticket: missingTickets,
          every_ticket_after_recovery_s: Math.round(ticketsS * 10) / 10,
        },
        checks: { every_incident_has_its_ticket: missingTickets === 0 },
      };
    } finally {
      await sampler.stop();
    }
  },
};

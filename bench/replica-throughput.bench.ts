import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { IncidentRecord, KV_BUCKETS, SUBJECTS } from '@opscrew/contracts';
import { freePorts } from '@opscrew/integrations';
import {
  EventPublisher,
  IncidentLedger,
  KvFactory,
  NatsConnectionService,
  provisionAll,
  removeBusTopology,
} from '@opscrew/messaging';
import {
  account,
  type InjectedFault,
  isFinalPhase,
  type NotificationSeen,
  type TicketSeen,
} from '../faults/fault-accounting';
import { SHOP_SERVICE_NAMES } from '../apps/demo-shop/src';
import { emit, nowMs, round } from './bench-output';
import { cpuSecondsOf, stopChild } from './bench-process';
import { meetsTarget, type ReplicaRound, replicaFigures } from './replica-throughput.figures';

/** The issue's shapes: one, two and three processes of ops-monitor and of jira-resolver. */
const REPLICA_COUNTS = [1, 2, 3] as const;
/** Distinct faults per storm: enough that the rate is not one incident's latency. */
const DEFAULT_INCIDENTS = 40;
/**
 * The target: replicas must not make the crew slower (incidents/s at 2 and 3 replicas ≥ the
 * single replica's). On this 2-core host more processes cannot add CPU, so this asks that the
 * coordination (claims, leases, CAS) costs no throughput — not that it scales.
 */
const MIN_SPEEDUP = 1;
/** Past this a storm is not slow but stuck: the round says so (its rate is null). */
const STORM_BOUND_MS = 90_000;
const READY_BOUND_MS = 120_000;
/** After /health answers, let start-up work (consumers binding, first cycle, JIT) end before measuring. */
const SETTLE_MS = 2_000;
/**
 * A quiet window before the storm: what the crew burns doing nothing (heartbeats, leases, the
 * leader's cycle, consumers' pulls, the outbox passes), per process, so the storm's CPU can be
 * split into the replicas' standing cost and the incidents' own.
 */
const IDLE_MS = 3_000;
const POLL_MS = 250;
const STOP_GRACE_MS = 15_000;
/** No runbook matches it: the run is triaged, ticketed and escalated without a restart (below). */
const SYMPTOM = 'traffic_drop';

interface CrewProcess {
  readonly label: string;
  readonly agent: 'atlas' | 'ops-monitor' | 'jira-resolver';
  readonly port: number;
  readonly child: ChildProcess;
}

/**
 * Incidents per second the crew sustains at 1, 2 and 3 replicas of ops-monitor and
 * jira-resolver (atlas, the ledger's writer, at one), and the CPU each incident costs.
 *
 * Per replica count, in a bus namespace of its own: real agent processes (`opscrew start
 * <agent>`, the shipped config, the local tracker and the console notifier), then a storm of
 * distinct faults published as `incident.reported` (source `cli`, one service and dedup key
 * each) — the contract `opscrew incident inject` uses. Every report must become one incident
 * (ops-monitor's intake on every replica), one ticket (ops-monitor's outbox, claimed), one
 * remediation run (jira-resolver, claimed by CAS) that escalates — the symptom has no runbook
 * and proposals are off — and the ledger's `escalated` (atlas). The rate is the reports over
 * the time until the last is final and ticketed; the cost is every crew process's CPU over
 * that window (/proc), per incident. Lost and doubled incidents, tickets and notifications are
 * counted from the ledger, the tickets bucket and the notifier's file, never from the crew.
 *
 * What it leaves out: restarts and verification. A restart waits 120 s before its metrics are
 * judged and restarts are limited per hour, so with them a storm measures the waits. The
 * shipped ticket and alert rate limits (10/h, 5/min) fold a storm into summaries, which is
 * the storm bench's subject; here they are lifted so every incident gets its own ticket.
 */
export async function benchReplicaThroughput(
  repoRoot: string,
  natsUrl: string,
  incidents = Number(process.env.BENCH_REPLICA_INCIDENTS ?? DEFAULT_INCIDENTS),
): Promise<void> {
  Logger.overrideLogger(['error']);
  const rounds: ReplicaRound[] = [];
  const correctness: { lost: number; duplicates: number }[] = [];
  const details: Record<string, unknown>[] = [];
  for (const replicas of replicaCounts()) {
    const outcome = await stormAt(repoRoot, natsUrl, replicas, incidents);
    rounds.push(outcome.round);
    correctness.push(outcome.correctness);
    details.push(outcome.detail);
  }
  const figures = replicaFigures(rounds);
  figures.forEach((figure, i) => {
    emit({
      bench: 'replica_throughput',
      replicas: figure.replicas,
      ...details[i],
      incidents_per_s: figure.incidents_per_s === null ? null : round(figure.incidents_per_s),
      cpu_ms_per_incident: round(figure.cpu_ms_per_incident, 1),
      speedup_vs_1: figure.speedup === null ? null : round(figure.speedup),
      cost_growth_vs_1: figure.cost_growth === null ? null : round(figure.cost_growth),
      target: { min_speedup_vs_1: MIN_SPEEDUP, lost: 0, duplicates: 0 },
      ok: meetsTarget(figure, correctness[i] ?? { lost: 1, duplicates: 0 }, MIN_SPEEDUP),
    });
  });
  emit({
    bench: 'replica_cost_growth',
    unit: 'CPU ms per incident, crew-wide',
    cpu_ms_per_incident: Object.fromEntries(
      figures.map((figure) => [figure.replicas, round(figure.cpu_ms_per_incident, 1)]),
    ),
    growth_vs_1: Object.fromEntries(
      figures.map((figure) => [
        figure.replicas,
        figure.cost_growth === null ? null : round(figure.cost_growth),
      ]),
    ),
    incidents_per_s: Object.fromEntries(
      figures.map((figure) => [
        figure.replicas,
        figure.incidents_per_s === null ? null : round(figure.incidents_per_s),
      ]),
    ),
    // No target in the issue for the cost: a figure to compare between runs.
    ok: figures.every((figure) => figure.cost_growth !== null),
  });
}

/**
 * BENCH_REPLICA_COUNTS (e.g. `2`, `1,3`) runs only those rounds: chasing a finding at one
 * shape costs a minute instead of three. Without a 1-replica round there is no speedup.
 */
function replicaCounts(): readonly number[] {
  const raw = process.env.BENCH_REPLICA_COUNTS;
  if (raw === undefined || raw.trim() === '') return REPLICA_COUNTS;
  const counts = raw.split(',').map((part) => Number(part.trim()));
  if (counts.some((count) => !Number.isInteger(count) || count < 1 || count > 5))
    throw new Error(`BENCH_REPLICA_COUNTS: whole numbers 1–5, comma-separated, got "${raw}"`);
  return counts;
}

interface StormOutcome {
  readonly round: ReplicaRound;
  readonly correctness: { lost: number; duplicates: number };
  readonly detail: Record<string, unknown>;
}

async function stormAt(
  repoRoot: string,
  natsUrl: string,
  replicas: number,
  incidents: number,
): Promise<StormOutcome> {
  const runDir = mkdtempSync(join(tmpdir(), `opscrew-bench-replicas-${replicas}-`));
  const namespace = `benchrep${replicas}x${Date.now().toString(36)}`;
  const bus = new NatsConnectionService({
    servers: [natsUrl],
    name: 'bench-replicas',
    namespace,
    wait_on_first_connect: false,
  });
  await bus.connect();
  const crew: CrewProcess[] = [];
  let keepRunDir = Boolean(process.env.BENCH_KEEP_RUN_DIR);
  try {
    await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });
    // One port per process, and two nobody listens on: the shop's control API and its metrics.
    const ports = await freePorts(1 + 2 * replicas + 2);
    const [deadControl, deadMetrics] = ports.slice(-2) as [number, number];
    const services = Array.from(
      { length: incidents },
      (_, i) => `bench-${String(i).padStart(3, '0')}`,
    );
    const configDir = writeConfig(repoRoot, runDir, {
      namespace,
      natsUrl,
      services,
      deadControl,
      deadMetrics,
    });
    const cli = join(repoRoot, 'bin', 'opscrew.js');
    const plan: { agent: CrewProcess['agent']; replica: string | null }[] = [
      { agent: 'atlas', replica: null },
      ...(['ops-monitor', 'jira-resolver'] as const).flatMap((agent) =>
        Array.from({ length: replicas }, (_, i) => ({
          agent,
          replica: replicas > 1 ? `${agent}-${i + 1}` : null,
        })),
      ),
    ];
    plan.forEach((slot, i) => {
      const port = ports[i] as number;
      const label = slot.replica ?? slot.agent;
      crew.push({
        label,
        agent: slot.agent,
        port,
        child: launch(cli, slot.agent, configDir, runDir, label, {
          PORT: String(port),
          ...(slot.replica !== null ? { OPSCREW_REPLICA_ID: slot.replica } : {}),
        }),
      });
    });
    const readyMs = await allHealthy(crew);
    if (readyMs === null) {
      tellLogs(runDir, crew);
      throw new Error(`replica bench: the crew at ${replicas} replicas never answered /health`);
    }
    await sleep(SETTLE_MS);
    const idleFrom = crewCpuS(crew);
    const idleStarted = nowMs();
    await sleep(IDLE_MS);
    const idleTo = crewCpuS(crew);
    const idleS = (nowMs() - idleStarted) / 1000;
    const idleCpuS = crew.reduce(
      (sum, member) => sum + (idleTo.get(member.label) ?? 0) - (idleFrom.get(member.label) ?? 0),
      0,
    );
    /** CPU seconds per wall second the whole crew uses idle. */
    const idleRate = idleCpuS / idleS;

    const kv = new KvFactory(bus);
    const ledger = new IncidentLedger(
      await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    const tickets = await kv.raw(KV_BUCKETS.tickets);
    const publisher = new EventPublisher(bus, 'cli');
    const cpuBefore = crewCpuS(crew);
    const started = nowMs();
    const injected: InjectedFault[] = await Promise.all(
      services.map(async (service, i) => {
        const dedupKey = `${namespace}-${i}`;
        await publisher.publish(SUBJECTS.incidentReported, {
          service,
          symptom: SYMPTOM,
          value: 0.2,
          severity: 'high',
          reporter: 'cli',
          dedup_key: dedupKey,
          status: 'firing',
          summary: 'replica bench storm',
        });
        return { dedup_key: dedupKey, service, symptom: SYMPTOM, injected_at: Date.now() };
      }),
    );
    const publishS = (nowMs() - started) / 1000;

    // Ticket records never change their incident: each is read once.
    const ticketOf = new Map<string, string | null>();
    const readTickets = async (): Promise<void> => {
      const keys = (await kv.listKeys(KV_BUCKETS.tickets)).filter(
        (key) => /^[A-Z]+-\d+$/.test(key) && !ticketOf.has(key),
      );
      for (const key of keys) {
        const entry = await tickets.get(key);
        if (entry === null || entry.length === 0) continue;
        const value = entry.json<{ incident_id?: unknown }>();
        ticketOf.set(key, typeof value.incident_id === 'string' ? value.incident_id : null);
      }
    };
    const keys = new Set(injected.map((fault) => fault.dedup_key));
    let seconds: number | null = null;
    let records: IncidentRecord[] = [];
    while (nowMs() - started < STORM_BOUND_MS) {
      records = (await ledger.list()).filter((record) =>
        (record.dedup_keys ?? []).some((key) => keys.has(key)),
      );
      const final = records.filter((record) => isFinalPhase(record.phase));
      if (final.length >= incidents) {
        await readTickets();
        const ticketed = new Set(ticketOf.values());
        if (final.every((record) => ticketed.has(record.incident_id))) {
          seconds = (nowMs() - started) / 1000;
          break;
        }
      }
      await sleep(POLL_MS);
    }
    const cpuAfter = crewCpuS(crew);
    const used = (member: CrewProcess): number =>
      (cpuAfter.get(member.label) ?? 0) - (cpuBefore.get(member.label) ?? 0);
    const cpuS = crew.reduce((sum, member) => sum + used(member), 0);
    const perAgentCpuS = Object.fromEntries(
      (['atlas', 'ops-monitor', 'jira-resolver'] as const).map((agent) => [
        agent,
        round(
          crew
            .filter((member) => member.agent === agent)
            .reduce((sum, member) => sum + used(member), 0),
        ),
      ]),
    );
    await readTickets();
    const figures = account({
      injected,
      incidents: records.map((record) => ({
        incident_id: record.incident_id,
        service: record.service,
        phase: record.phase,
        dedup_keys: record.dedup_keys ?? [],
        detected_at: Date.parse(record.detected_at),
      })),
      tickets: [...ticketOf].map(([key, incident]): TicketSeen => ({ key, incident_id: incident })),
      notifications: notificationsIn(runDir),
    });
    const ticketedIncidents = new Set([...ticketOf.values()].filter((id) => id !== null)).size;
    const duplicates =
      figures.duplicate_incidents + figures.duplicate_tickets + figures.duplicate_notifications;
    if (figures.problems.length > 0) {
      // A loss or a duplicate is a finding: its processes' logs are what explains it.
      keepRunDir = true;
      process.stderr.write(
        `bench replica-throughput (${replicas}×): ${figures.problems.slice(0, 5).join('; ')}; logs kept in ${runDir}\n`,
      );
    }
    return {
      round: { replicas, incidents, seconds, cpu_s: cpuS },
      correctness: { lost: figures.lost, duplicates },
      detail: {
        processes: crew.length,
        incidents,
        symptom: SYMPTOM,
        seconds: seconds === null ? null : round(seconds),
        publish_s: round(publishS),
        ready_ms: Math.round(readyMs),
        crew_cpu_s: round(cpuS),
        idle_cpu_ms_per_s: Math.round(idleRate * 1000),
        // The storm's CPU less what the crew would have burnt idle over the same time.
        work_cpu_ms_per_incident:
          seconds === null ? null : round(((cpuS - idleRate * seconds) * 1000) / incidents, 1),
        cpu_s_by_agent: perAgentCpuS,
        ended_escalated: figures.ended_escalated,
        ended_resolved: figures.ended_done,
        lost: figures.lost,
        duplicate_incidents: figures.duplicate_incidents,
        tickets: figures.tickets_seen,
        incidents_without_ticket: incidents - ticketedIncidents,
        duplicate_tickets: figures.duplicate_tickets,
        notifications: figures.notifications_seen,
        duplicate_notifications: figures.duplicate_notifications,
        loadavg_1m: round(loadavg()[0] ?? 0),
      },
    };
  } finally {
    await Promise.all(crew.map((member) => stopChild(member.child, STOP_GRACE_MS)));
    await removeBusTopology(bus).catch(() => undefined);
    await bus.close();
    if (keepRunDir) process.stderr.write(`bench replica-throughput: ${runDir}\n`);
    else rmSync(runDir, { recursive: true, force: true });
  }
}

/**
 * The shipped config under an overlay (sibling keys beside `$include`, as `npm run demo` does):
 * this run's namespace and bus; the storm's services; the shop's control API and metrics on
 * ports nobody listens on (no shop runs, and another session's shop must not be scraped or
 * restarted); rate limits lifted and proposals off (see benchReplicaThroughput).
 */
function writeConfig(
  repoRoot: string,
  runDir: string,
  shape: {
    namespace: string;
    natsUrl: string;
    services: readonly string[];
    deadControl: number;
    deadMetrics: number;
  },
): string {
  const dir = join(runDir, 'config');
  cpSync(join(repoRoot, 'config'), dir, { recursive: true });
  renameSync(join(dir, 'opscrew.json5'), join(dir, 'shipped.json5'));
  const overlay = {
    $include: './shipped.json5',
    env: { NATS_URL: shape.natsUrl },
    bus: { namespace: shape.namespace, servers: [shape.natsUrl] },
    services: {
      watched: Object.fromEntries(
        shape.services.map((service) => [
          service,
          { description: 'a service of the replica bench storm', criticality: 'medium' },
        ]),
      ),
    },
    integrations: {
      metrics: {
        scrape: {
          targets: Object.fromEntries(
            SHOP_SERVICE_NAMES.map((service) => [
              service,
              `http://127.0.0.1:${shape.deadMetrics}/metrics`,
            ]),
          ),
        },
      },
      runtime: { process: { control_url: `http://127.0.0.1:${shape.deadControl}` } },
    },
    thresholds: {
      guardrails: {
        // The outbox keeps at most 500 timestamps per window: the highest limits it accepts.
        rate_limits: { jira_issues_per_hour: 500, discord_messages_per_minute: 500 },
        remediation: { propose_when_no_runbook: false },
      },
    },
  };
  writeFileSync(join(dir, 'opscrew.json5'), `${JSON.stringify(overlay, null, 2)}\n`);
  mkdirSync(join(runDir, 'var'), { recursive: true });
  return dir;
}

function launch(
  cli: string,
  agent: string,
  configDir: string,
  runDir: string,
  label: string,
  extraEnv: Record<string, string>,
): ChildProcess {
  const log = openSync(join(runDir, `${label}.log`), 'a');
  // BENCH_CREW_NODE_ARGS: node flags for every crew process (e.g. `--cpu-prof --cpu-prof-dir=DIR`
  // to see where a replica's CPU goes; NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env.BENCH_CREW_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...nodeArgs, cli, 'start', agent, '--config', configDir], {
    cwd: runDir,
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', log, log],
  });
}

/** Milliseconds until every process answers /health 200; null past the bound or when one died. */
async function allHealthy(crew: readonly CrewProcess[]): Promise<number | null> {
  const started = nowMs();
  const pending = new Set(crew);
  while (nowMs() - started < READY_BOUND_MS) {
    for (const member of [...pending]) {
      if (member.child.exitCode !== null || member.child.signalCode !== null) return null;
      try {
        const response = await fetch(`http://127.0.0.1:${member.port}/health`, {
          signal: AbortSignal.timeout(1_000),
        });
        await response.arrayBuffer();
        if (response.status === 200) pending.delete(member);
      } catch {
        // Not listening yet.
      }
    }
    if (pending.size === 0) return nowMs() - started;
    await sleep(POLL_MS);
  }
  return null;
}

function tellLogs(runDir: string, crew: readonly CrewProcess[]): void {
  for (const { label } of crew) {
    const path = join(runDir, `${label}.log`);
    if (!existsSync(path)) continue;
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    process.stderr.write(
      `bench replica-throughput: ${label}'s log ends:\n${lines.slice(-5).join('\n')}\n`,
    );
  }
}

/** Every notification the console notifier wrote (all processes share the file), by idempotency key. */
function notificationsIn(runDir: string): NotificationSeen[] {
  const path = join(runDir, 'var', 'notifications.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const parsed = JSON.parse(line) as { idempotency_key?: unknown };
      return {
        identity: typeof parsed.idempotency_key === 'string' ? parsed.idempotency_key : line,
        unconfirmed: false,
      };
    });
}

/** CPU seconds (user + system) each crew process has used so far, from /proc, by label. */
function crewCpuS(crew: readonly CrewProcess[]): Map<string, number> {
  return new Map(crew.map((member) => [member.label, cpuSecondsOf(member.child.pid) ?? 0]));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

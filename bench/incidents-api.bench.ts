import { cpus, loadavg } from 'node:os';
import { Agent, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { buildEvent, HeartbeatRecord, IncidentRecord, KV_BUCKETS } from '@opscrew/contracts';
import {
  IncidentLedger,
  KvFactory,
  NatsConnectionService,
  provisionAll,
  removeBusTopology,
} from '@opscrew/messaging';
import { HeartbeatBoard } from '@opscrew/agent-core';
import { AgentsController } from '../apps/atlas/src/agents.controller';
import { IncidentsController } from '../apps/atlas/src/incidents.controller';
import { IncidentsView } from '../apps/atlas/src/ledger/incidents-view.service';
import { LivenessService } from '../apps/atlas/src/liveness/liveness.service';
import { livenessSnapshot } from '../apps/atlas/src/liveness/liveness-snapshot';
import { PostmortemWriter } from '../apps/atlas/src/postmortems/postmortem-writer.service';
import { emit, nowMs, round } from './bench-output';

/** The figures: 141 req/s and 186 timeouts at 500 clients. Targets: p99 < 1 s for both. */
const TARGET_P99_MS = 1_000;
/** A request slower than this counts as a timeout (and is not waited for). */
const REQUEST_TIMEOUT_MS = 5_000;
/** Pause between /agents probes: dashboards polling while the list is hammered. */
const AGENTS_PROBE_GAP_MS = 20;
/** /agents pollers at once: enough samples for a p99 over a few seconds of load. */
const AGENTS_PROBERS = 5;

type Mode = 'view' | 'ledger_scan';

@Module({})
class BenchAtlasModule {}

/**
 * `/incidents` under 500 concurrent clients while `/agents` is polled: atlas's two controllers
 * (the real classes, their real routes over Express) on a real NATS with a unique namespace,
 * seeded with `incidents` incidents. Each client sends `rounds` requests back to back
 * (default page: 50 incidents); five probers ask `/agents` (real heartbeat reads from KV), each
 * every 20 ms, meanwhile. Reports p99 of each and the /incidents rate; target p99 < 1 s for both.
 * The clients run in a worker thread (their own event loop, as other machines would be), on
 * the same cores as the server: their CPU is taken from it, so the figures are an upper bound.
 *
 * `mode: 'view'` is atlas as shipped (IncidentsView); `ledger_scan` (BENCH_INCIDENTS_BASELINE=1)
 * is the old path, every request reading the whole bucket, for comparison.
 */
export async function benchIncidentsApi(
  natsUrl: string,
  incidents = 2_000,
  clients = 500,
  rounds = 10,
): Promise<void> {
  Logger.overrideLogger(['error']);
  const modes: Mode[] =
    process.env.BENCH_INCIDENTS_BASELINE === '1' ? ['view', 'ledger_scan'] : ['view'];
  for (const mode of modes) await runMode(natsUrl, mode, incidents, clients, rounds);
}

async function runMode(
  natsUrl: string,
  mode: Mode,
  incidents: number,
  clients: number,
  rounds: number,
): Promise<void> {
  const bus = new NatsConnectionService({
    servers: [natsUrl],
    name: `bench-incidents-${mode}`,
    namespace: `incapi${Date.now().toString(36)}`,
    wait_on_first_connect: false,
  });
  await bus.connect();
  const kv = new KvFactory(bus);
  const view = new IncidentsView(kv);
  try {
    await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });
    const ledger = new IncidentLedger(
      await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    await seed(ledger, incidents);
    const heartbeats = await kv.open(KV_BUCKETS.heartbeats, { class: HeartbeatRecord });
    for (const agent of ['atlas', 'ops-monitor', 'jira-resolver'] as const) {
      const at = new Date().toISOString();
      await heartbeats.put(`${agent}.bench-0`, {
        agent,
        replica: 'bench-0',
        version: 'bench',
        pid: 1,
        at,
        started_at: at,
        uptime_s: 0,
        status: 'ok',
      });
    }
    // atlas's board: every replica's heartbeat kept by a watch (GET /agents reads memory).
    const board = await HeartbeatBoard.open(kv, heartbeats, new Logger('bench-heartbeats'));
    const agents = new Map(
      ['atlas', 'ops-monitor', 'jira-resolver', 'demo-controller'].map((a) => [
        a,
        { enabled: true, max_age_s: 30 },
      ]),
    );
    const loadStarted = nowMs();
    if (mode === 'view') {
      view.start();
      await view.whenReady(60_000);
    }
    const loadMs = nowMs() - loadStarted;
    const module: DynamicModule = {
      module: BenchAtlasModule,
      controllers: [IncidentsController, AgentsController],
      providers: [
        { provide: IncidentLedger, useValue: ledger },
        { provide: PostmortemWriter, useValue: {} },
        // The baseline: a view that never loads, so every request reads the ledger.
        { provide: IncidentsView, useValue: mode === 'view' ? view : { page: () => null } },
        {
          provide: LivenessService,
          useValue: { snapshot: () => livenessSnapshot(board, agents, new Date()) },
        },
      ],
    };
    const app = await NestFactory.create(module, { logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    const server = app.getHttpServer() as Server;
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    try {
      const result = await hammerInWorker(base, clients, rounds);
      const incidentsP99 = percentile(result.incidents, 0.99);
      const agentsP99 = percentile(result.agents, 0.99);
      emit({
        bench: 'incidents_api',
        mode,
        incidents_seeded: incidents,
        concurrent_clients: clients,
        incidents_requests: result.incidents.length,
        incidents_req_per_s: Math.round(result.incidents.length / (result.seconds || 1)),
        incidents_p50_ms: round(percentile(result.incidents, 0.5), 1),
        incidents_p95_ms: round(percentile(result.incidents, 0.95), 1),
        incidents_p99_ms: round(incidentsP99, 1),
        incidents_max_ms: round(percentile(result.incidents, 1), 1),
        incidents_over_1s: result.incidents.filter((ms) => ms >= 1000).length,
        incidents_timeouts: result.incidentTimeouts,
        incidents_errors: result.incidentErrors,
        agents_requests: result.agents.length,
        agents_p50_ms: round(percentile(result.agents, 0.5), 1),
        agents_p99_ms: round(agentsP99, 1),
        agents_timeouts: result.agentTimeouts,
        view_load_ms: mode === 'view' ? round(loadMs, 1) : null,
        target_p99_ms: TARGET_P99_MS,
        cpus: cpus().length,
        loadavg_1m: round(loadavg()[0] ?? 0),
        ok:
          incidentsP99 < TARGET_P99_MS &&
          agentsP99 < TARGET_P99_MS &&
          result.incidentTimeouts + result.incidentErrors + result.agentTimeouts === 0 &&
          result.pageChecked,
      });
    } finally {
      await app.close();
    }
  } finally {
    await view.stop();
    await removeBusTopology(bus);
    await bus.close();
  }
}

/** `count` incidents, a second apart, 64 writes in flight. */
async function seed(ledger: IncidentLedger, count: number): Promise<void> {
  const base = Date.UTC(2026, 11, 6, 0, 0, 0);
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < count) {
        const n = ++next;
        await ledger.open(
          buildEvent(
            'incident.detected',
            {
              incident_id: `INC-20261206-${String(n).padStart(4, '0')}-b3nc`,
              fingerprint: `svc-${n}:high_error_rate`,
              service: `svc-${n}`,
              symptom: 'high_error_rate',
              severity: 'high',
              value: 0.2,
              threshold: 0.05,
              detected_at: new Date(base + n * 1000).toISOString(),
              reporters: ['bench'],
              dedup_keys: [`bench-${n}`],
            },
            'ops-monitor',
          ),
        );
      }
    }),
  );
}

interface HammerResult {
  incidents: number[];
  agents: number[];
  incidentTimeouts: number;
  incidentErrors: number;
  agentTimeouts: number;
  seconds: number;
  /** A page had the default size, newest first, and a next cursor. */
  pageChecked: boolean;
}

async function hammer(base: string, clients: number, rounds: number): Promise<HammerResult> {
  const result: HammerResult = {
    incidents: [],
    agents: [],
    incidentTimeouts: 0,
    incidentErrors: 0,
    agentTimeouts: 0,
    seconds: 0,
    pageChecked: false,
  };
  // One checked answer first: the figures below are for a real page.
  const first = await fetch(`${base}/incidents`);
  const page = (await first.json()) as IncidentRecord[];
  result.pageChecked =
    first.ok &&
    page.length === 50 &&
    (page[0]?.detected_at ?? '') > (page[1]?.detected_at ?? '') &&
    first.headers.get('x-next-cursor') !== null;
  let done = false;
  const probe1 = async (): Promise<void> => {
    while (!done) {
      const started = nowMs();
      try {
        await get(`${base}/agents`);
        result.agents.push(nowMs() - started);
      } catch {
        result.agentTimeouts++;
      }
      await new Promise((resolve) => setTimeout(resolve, AGENTS_PROBE_GAP_MS));
    }
  };
  const probers = Promise.all(Array.from({ length: AGENTS_PROBERS }, probe1));
  const started = nowMs();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let round = 0; round < rounds; round++) {
        const t0 = nowMs();
        try {
          const status = await get(`${base}/incidents`);
          if (status === 200) result.incidents.push(nowMs() - t0);
          else result.incidentErrors++;
        } catch {
          result.incidentTimeouts++;
        }
      }
    }),
  );
  result.seconds = (nowMs() - started) / 1000;
  done = true;
  await probers;
  return result;
}

/** Keep-alive connections, one per client at most: each client is one HTTP/1.1 connection. */
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

/** GET with the bench's timeout; resolves with the status once the body is read (node:http: the
 * lightest client, so the figures are the server's, not fetch's). */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The clients on their own event loop: the server's loop serves, it does not also parse. */
function hammerInWorker(base: string, clients: number, rounds: number): Promise<HammerResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { base, clients, rounds } });
    worker.once('message', (result: HammerResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench client worker exited with ${code}`));
    });
  });
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  const { base, clients, rounds } = workerData as { base: string; clients: number; rounds: number };
  void hammer(base, clients, rounds).then((result) => port.postMessage(result));
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type IncidentRecord, KV_BUCKETS, LeaseRecord, serviceLockKey } from '@opscrew/contracts';
import { LocalTracker } from '@opscrew/integrations';
import { KvFactory, LeaseService } from '@opscrew/messaging';
import {
  type CrewProcess,
  CrewTestEnvironment,
  getJson,
  readLines,
  waitFor,
} from './support/crew-harness';
import { SyntheticService } from './support/synthetic-service';

interface AlertLine {
  idempotency_key: string;
  kind: string;
  embeds?: { title?: string }[];
}

/**
 * ops-monitor end to end: real scrapes of services exposing Prometheus
 * metrics, a fault dialled in, and the result checked where a human would see
 * it — exactly one incident in the ledger, one ticket, one alert, nothing more.
 */
describe('ops-monitor: a fault becomes one incident, one ticket, one alert (e2e)', () => {
  const cart = new SyntheticService('cart');
  const ad = new SyntheticService('ad');
  let env: CrewTestEnvironment;
  let monitor: CrewProcess;
  let tracker: LocalTracker;
  let leases: LeaseService;
  let alertsFile: string;

  const incidents = async (): Promise<IncidentRecord[]> =>
    (await getJson<IncidentRecord[]>(env.url('atlas', '/incidents'))).body;
  const alerts = (): AlertLine[] =>
    readLines(alertsFile).map((line) => JSON.parse(line) as AlertLine);

  beforeAll(async () => {
    await cart.start();
    await ad.start();
    env = await CrewTestEnvironment.create('e2e-ops-monitor', {
      cycleIntervalS: 1,
      scrapeTargets: { cart: cart.metricsUrl, ad: ad.metricsUrl },
    });
    alertsFile = join(env.fixture.projectDir, 'var/notifications.jsonl');
    env.spawn('atlas', ['start', 'atlas']);
    monitor = env.spawn('ops-monitor', ['start', 'ops-monitor']);
    const kv = new KvFactory(env.bus);
    tracker = new LocalTracker(await kv.raw(KV_BUCKETS.tickets), {
      listKeys: () => kv.listKeys(KV_BUCKETS.tickets),
    });
    leases = new LeaseService(await kv.open(KV_BUCKETS.locks, { class: LeaseRecord }));
    await waitFor(
      'ops-monitor healthy',
      async () => (await getJson(env.url('ops-monitor', '/health'))).status === 200,
      30_000,
    );
  });

  afterAll(async () => {
    await env?.dispose();
    await cart.stop();
    await ad.stop();
  });

  it('stays quiet while the services are healthy', async () => {
    await waitFor('three cycles', async () => {
      const { body } = await getJson<{ cycles: number }>(env.url('ops-monitor', '/quality'));
      return body.cycles >= 3;
    });
    expect(await incidents()).toEqual([]);
    expect(alerts()).toEqual([]);
  });

  it('turns a 20 % error rate on cart into exactly one incident, one ticket and one alert', async () => {
    cart.errorRatio = 0.2;
    // The first scrape window may straddle the change (a lower rate, a lower severity):
    // the incident's severity then rises with an update, it does not open a second one.
    const incident = await waitFor('the cart incident at high severity', async () =>
      (await incidents()).find((row) => row.service === 'cart' && row.severity === 'high'),
    );
    expect(incident).toMatchObject({
      symptom: 'high_error_rate',
      phase: 'detected',
      detected_by: 'ops-monitor',
    });

    // The fault persists for several more cycles: still one of each.
    await waitFor('five more cycles', async () => {
      const { body } = await getJson<{ cycles: number }>(env.url('ops-monitor', '/quality'));
      return body.cycles >= 10;
    });
    const all = await incidents();
    expect(all.filter((row) => row.service === 'cart')).toHaveLength(1);
    const tickets = await tracker.listByStatus('todo', 'auto-detected');
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({
      incident_id: incident.incident_id,
      summary: expect.stringMatching(/^\[Auto\] cart: error rate spike \(\d+\.\d+ %\)$/),
    });
    const alertLines = await waitFor('the alert line', () =>
      alerts().length === 1 ? alerts() : undefined,
    );
    expect(alertLines[0]).toMatchObject({
      idempotency_key: `alert:${incident.incident_id}`,
      kind: 'incident',
    });
    expect(alertLines[0]?.embeds?.[0]?.title).toContain(
      `${incident.incident_id} cart: error rate spike`,
    );
    expect(monitor.logs).toMatch(
      new RegExp(`opened ${incident.incident_id}: cart:high_error_rate \\((low|medium|high)\\)`),
    );
  });

  it('grades itself: every service checked, every ticket names a runbook', async () => {
    const { body } = await getJson<{
      completeness_ratio: number;
      actionability_ratio: number;
      tickets: { total: number };
    }>(env.url('ops-monitor', '/quality'));
    expect(body).toMatchObject({
      completeness_ratio: 1,
      actionability_ratio: 1,
      tickets: { total: 1 },
    });
  });

  it('exposes its own metrics in the Prometheus format', async () => {
    const response = await fetch(env.url('ops-monitor', '/metrics'));
    const text = await response.text();
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/^opscrew_monitor_cycles_total\{outcome="ok"\} \d+$/m);
    // What every agent serves from agent-core: dead letters per consumer and reason.
    expect(text).toMatch(
      /^opscrew_deadletters_total\{consumer="ops-monitor-reports",reason="schema"\} \d+$/m,
    );
    const opened = [
      ...text.matchAll(/^opscrew_monitor_incidents_opened_total\{severity="\w+"\} (\d+)$/gm),
    ];
    expect(opened.reduce((sum, match) => sum + Number(match[1]), 0)).toBe(1);
    expect(text).toMatch(
      /^opscrew_monitor_outbox_depth\{kind="ticket.create",state="delivered"\} 1$/m,
    );
    expect(text).toMatch(/^opscrew_monitor_quality_ratio\{dimension="completeness"\} 1$/m);
    expect(text).toContain('opscrew_monitor_cycle_duration_seconds_bucket');
  });

  it('records anomalies of a locked service as informational: no ticket, no alert', async () => {
    const lease = await leases.acquire(
      serviceLockKey('ad'),
      'demo-controller',
      60_000,
      'stress test',
    );
    expect(lease.ok).toBe(true);
    ad.errorRatio = 0.5;
    const incident = await waitFor('the informational ad incident', async () =>
      (await incidents()).find((row) => row.service === 'ad'),
    );
    expect(incident).toMatchObject({ severity: 'info', informational: true });
    await waitFor('three more cycles', async () => {
      const { body } = await getJson<{ cycles: number }>(env.url('ops-monitor', '/quality'));
      return body.cycles >= 15;
    });
    expect(await tracker.listByStatus('todo', 'auto-detected')).toHaveLength(1);
    expect(alerts()).toHaveLength(1);
    if (lease.ok) await leases.release(lease.lease);
  });

  it('writes the alert exactly as Discord would receive it (JSONL), neutralised', () => {
    const raw = readFileSync(alertsFile, 'utf8');
    expect(raw).not.toMatch(/@everyone|@here/);
    const [line] = alerts();
    expect(line).toHaveProperty('embeds');
  });
});

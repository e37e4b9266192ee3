import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  HeartbeatRecord,
  IncidentRecord,
  KV_BUCKETS,
  LeaseRecord,
  serviceLockKey,
} from '@opscrew/contracts';
import { KvFactory } from '@opscrew/messaging';
import { type HeadlessChromium, launchHeadlessChromium } from '@opscrew/testing';
import {
  type CrewProcess,
  CrewTestEnvironment,
  getJson,
  REPO_ROOT,
  waitFor,
} from './support/crew-harness';

/** Kept after the run (var/ is gitignored): the page as a person saw it. */
const SCREENSHOT = join(REPO_ROOT, 'var/test-artifacts/status-page.png');
/** The same page as a browser set to dark shows it. */
const SCREENSHOT_DARK = join(REPO_ROOT, 'var/test-artifacts/status-page-dark.png');

/** What a lock's reason could carry if a caller were hostile: it must show as text. */
const HOSTILE_REASON = `load test <img src=x onerror="document.title='pwned'"> & "quotes"`;

interface StatusJson {
  incidents: { status: string; rows?: { incident_id: string }[] };
  reports: { status: string; rows?: { title: string }[] };
}

/**
 * atlas's status page as a person sees it: the built atlas as a process against the real
 * NATS, an incident and a lock written into its buckets, a stale agent; the page opened in
 * headless Chromium with JavaScript off, every request checked to stay on 127.0.0.1.
 */
describe('the status page on GET / (e2e)', () => {
  let env: CrewTestEnvironment;
  let atlas: CrewProcess;
  let chromium: HeadlessChromium | undefined;
  const now = Date.now();
  const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
  const openId = `INC-${day}-901-e2es`;
  const resolvedId = `INC-${day}-902-e2es`;

  function incident(id: string, phase: IncidentRecord['phase']): IncidentRecord {
    const at = new Date(now - 90_000).toISOString();
    return {
      incident_id: id,
      fingerprint: `checkout:error_rate_high:${id}`,
      service: 'checkout',
      symptom: 'error_rate_high',
      severity: 'high',
      phase,
      detected_by: 'ops-monitor',
      detected_at: at,
      updated_at: at,
      value: 0.31,
      threshold: 0.05,
      metric: 'http_error_rate',
      count: 1,
      last_value: 0.31,
      peak_value: 0.31,
      history: [{ at, phase, source: 'ops-monitor', event_id: `e2e-${id}` }],
    };
  }

  beforeAll(async () => {
    env = await CrewTestEnvironment.create('e2e-status-page', { livenessCheckS: 1 });
    const kv = new KvFactory(env.bus);
    const incidents = await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord });
    await incidents.put(openId, incident(openId, 'triaged'));
    await incidents.put(resolvedId, incident(resolvedId, 'resolved'));
    const locks = await kv.open(KV_BUCKETS.locks, { class: LeaseRecord });
    await locks.put(serviceLockKey('checkout'), {
      holder: 'demo-controller-e2e',
      acquired_at: new Date(now).toISOString(),
      expires_at: new Date(now + 600_000).toISOString(),
      ttl_ms: 600_000,
      reason: HOSTILE_REASON,
    });
    // ops-monitor's last heartbeat, long ago: atlas finds it stale and writes a report.
    const heartbeats = await kv.open(KV_BUCKETS.heartbeats, { class: HeartbeatRecord });
    const old = new Date(now - 120_000).toISOString();
    await heartbeats.put('ops-monitor.e2e-gone', {
      agent: 'ops-monitor',
      replica: 'e2e-gone',
      version: '0.1.0',
      pid: 99999,
      at: old,
      started_at: old,
      uptime_s: 1,
      status: 'ok',
    });
    atlas = env.spawn('atlas', ['start', 'atlas']);
  });

  afterAll(async () => {
    await chromium?.close();
    await env?.dispose();
  });

  it('shows the crew, the open incident, the lock and the last report; loads nothing from elsewhere; reloads itself', async () => {
    const statusUrl = env.url('atlas', '/status.json');
    await waitFor(
      'the incident and the stale report in /status.json',
      async () => {
        const { status, body } = await getJson<StatusJson>(statusUrl);
        return (
          status === 200 &&
          body.incidents.rows?.some((row) => row.incident_id === openId) === true &&
          body.reports.rows?.some((row) => row.title === 'ops-monitor is stale') === true
        );
      },
      30_000,
    );

    chromium = await launchHeadlessChromium();
    // JavaScript off: the page must work without it (it has none).
    const context = await chromium.browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    const origin = new URL(env.url('atlas', '/')).origin;
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));

    const response = await page.goto(env.url('atlas', '/'), { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(
      /^default-src 'none'; style-src 'unsafe-inline'/,
    );

    // What a person sees: the headings, in order.
    const headings = await page.locator('h1, h2').allInnerTexts();
    expect(headings.map((text) => text.replace(/\s+\d+$/, ''))).toEqual([
      'opscrew status',
      'Crew',
      'Open incidents',
      'Locks',
      'Silences',
      'SLO budgets',
      'Last reports',
    ]);
    // The crew: atlas alive, ops-monitor stale.
    const crew = page.locator('#crew tbody tr');
    await expect(crew.filter({ hasText: 'atlas' }).locator('.badge').innerText()).resolves.toBe(
      'alive',
    );
    await expect(
      crew.filter({ hasText: 'ops-monitor' }).locator('.badge').innerText(),
    ).resolves.toBe('stale');
    // The open incident, with its phase; the resolved one is not there.
    const row = page.locator('#incidents tbody tr', { hasText: openId });
    await expect(row.count()).resolves.toBe(1);
    const cells = await row.locator('td').allInnerTexts();
    expect(cells.slice(0, 5)).toEqual([openId, 'checkout', 'error_rate_high', 'high', 'triaged']);
    expect(cells[6]).toMatch(/^(1|2) min ago$/);
    await expect(row.locator('time').first().getAttribute('title')).resolves.toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
    );
    await expect(page.locator('#incidents').innerText()).resolves.not.toContain(resolvedId);
    // The lock: its hostile reason is text, not markup.
    const lock = page.locator('#locks tbody tr', { hasText: 'checkout' });
    await expect(lock.innerText()).resolves.toContain(HOSTILE_REASON);
    await expect(page.locator('img').count()).resolves.toBe(0);
    await expect(page.title()).resolves.toMatch(/^opscrew status · 1 open incident$/);
    // No maintenance window is open.
    await expect(page.locator('#silences').innerText()).resolves.toContain('No active silences.');
    // Every configured objective is listed; with no SLI counted yet, its budget is unknown.
    const slos = await page.locator('#slos').innerText();
    for (const service of ['cart', 'checkout', 'frontend', 'payment', 'product-catalog'])
      expect(slos).toContain(service);
    expect(slos).toContain('no data');
    // The report atlas wrote when ops-monitor went stale.
    await expect(page.locator('#reports').innerText()).resolves.toContain('ops-monitor is stale');

    mkdirSync(join(REPO_ROOT, 'var/test-artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: SCREENSHOT_DARK, fullPage: true });
    process.stdout.write(`status page screenshots: ${SCREENSHOT}, ${SCREENSHOT_DARK}\n`);

    // It reloads itself (meta refresh, no script), and every request stayed on atlas.
    const before = requests.length;
    await page.waitForEvent('load', { timeout: 20_000 });
    expect(requests.length).toBeGreaterThan(before);
    expect(requests.length).toBeGreaterThan(0);
    for (const url of requests) expect(url.startsWith(`${origin}/`)).toBe(true);
    expect(atlas.running).toBe(true);
  });
});

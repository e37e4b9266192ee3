import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigFixture } from '@opscrew/config/testing';
import { type IncidentReportedEvent } from '@opscrew/contracts';
import { eventually, testNamespace } from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { IntakeCrew, stored } from '../testing/intake-crew.harness';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(120_000));

const TOKEN = 'alertmanager-test-token-0123456789';
/** A real Alertmanager v4 body (fixtures/SOURCES.md says where it comes from). */
const REAL = JSON.parse(
  readFileSync(join(__dirname, 'fixtures/alertmanager-v4.probe-failure.json'), 'utf8'),
) as Record<string, unknown> & { alerts: Record<string, unknown>[] };
const [PROBE] = REAL.alerts;

/** The real body's alert with other labels, another fingerprint. */
const alert = (
  fingerprint: string,
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
): Record<string, unknown> => ({ ...PROBE, fingerprint, labels, annotations });

/**
 * `POST /alerts/alertmanager` on the real ops-monitor app module, with the real JetStream
 * and atlas's ledger recorder beside it: what Alertmanager sends becomes reports, folded
 * into incidents a reporter can find by the alert's fingerprint.
 */
describe('POST /alerts/alertmanager (real app module, real JetStream)', () => {
  const namespace = testNamespace();
  const fixture = ConfigFixture.shipped();
  let crew: IntakeCrew;

  const post = async (
    body: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  ): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${crew.base}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    crew = await IntakeCrew.start({
      natsUrl: NATS_URL,
      namespace,
      fixture,
      token: TOKEN,
      name: 'alertmanager-test',
      configure: (config) =>
        config.patch(
          'project/integrations/integrations.json5',
          'symptoms_by_alertname: {},',
          "symptoms_by_alertname: { CartErrors: 'high_error_rate', PaymentSlow: 'high_latency' },",
        ),
    });
  });

  afterAll(async () => {
    await crew?.stop();
  });

  it('answers the real probe notification 200 with its alert rejected and the reason (no retry storm)', async () => {
    const { status, body } = await post(REAL);
    expect(status).toBe(200);
    expect(body).toEqual({
      received: 1,
      reported: 0,
      duplicates: 0,
      rejected: [
        {
          fingerprint: '1a30ba71cca2921f',
          code: 'unknown_service',
          reason: expect.stringMatching(
            /^no watched service in labels service, service_name, job \(got job="http_checks"/,
          ) as unknown,
        },
      ],
      truncated: 0,
    });
  });

  it('reports each mappable alert once JetStream stored it, folds them into incidents found by fingerprint, and dedups a retried notification', async () => {
    const notification = {
      ...REAL,
      truncatedAlerts: 2,
      alerts: [
        alert(
          'aaaa000000000001',
          { alertname: 'CartErrors', service: 'cart', severity: 'critical' },
          { value: '0.4' },
        ),
        alert('aaaa000000000002', {
          alertname: 'PaymentSlow',
          job: 'paymentservice',
          severity: 'warning',
        }),
        alert('aaaa000000000003', { alertname: 'DiskFull', service: 'cart' }),
      ],
    };
    const first = await post(notification);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      received: 3,
      reported: 2,
      duplicates: 0,
      truncated: 2,
      rejected: [{ fingerprint: 'aaaa000000000003', code: 'no_symptom' }],
    });
    // Stored before the answer: both reports are already on the stream.
    const reports = (await stored(crew.bus, 'incident.reported')) as IncidentReportedEvent[];
    expect(
      reports.map((r) => [r.source, r.reporter, r.dedup_key, r.service, r.symptom, r.status]),
    ).toEqual([
      ['external', 'alertmanager', 'aaaa000000000001', 'cart', 'high_error_rate', 'firing'],
      ['external', 'alertmanager', 'aaaa000000000002', 'payment', 'high_latency', 'firing'],
    ]);

    // Alertmanager retrying the same notification: stored once (the stream's duplicate window).
    const retry = await post(notification);
    expect(retry.body).toMatchObject({ reported: 2, duplicates: 2 });
    expect(await stored(crew.bus, 'incident.reported')).toHaveLength(2);

    await eventually(
      async () => (await crew.ledger.list({ reporter: 'alertmanager' })).length === 2,
      30_000,
    );
    const [cart] = await crew.ledger.list({ dedup_key: 'aaaa000000000001' });
    expect(cart).toMatchObject({
      fingerprint: 'cart:high_error_rate',
      severity: 'critical',
      value: 0.4,
      reporters: ['alertmanager'],
      dedup_keys: ['aaaa000000000001'],
    });
    const [payment] = await crew.ledger.list({ dedup_key: 'aaaa000000000002' });
    expect(payment).toMatchObject({ fingerprint: 'payment:high_latency', severity: 'medium' });

    // Resolved: recorded on the incident, which stays open.
    const resolved = await post({
      ...REAL,
      status: 'resolved',
      alerts: [
        {
          ...alert('aaaa000000000001', { alertname: 'CartErrors', service: 'cart' }),
          status: 'resolved',
          endsAt: '2023-02-06T13:30:00Z',
        },
      ],
    });
    expect(resolved.body).toMatchObject({ reported: 1, rejected: [] });
    await eventually(async () =>
      Boolean(
        (await crew.ledger.get(cart?.incident_id ?? ''))?.history.some((step) =>
          step.note?.startsWith('alertmanager reports high_error_rate on cart resolved'),
        ),
      ),
    );
    expect((await crew.ledger.get(cart?.incident_id ?? ''))?.phase).toBe('detected');

    // Counted in ops-monitor's /metrics.
    const metrics = await (await fetch(`${crew.base}/metrics`)).text();
    expect(metrics).toMatch(
      /^opscrew_monitor_alertmanager_alerts_total\{outcome="reported",reason=""\} 3$/m,
    );
    expect(metrics).toMatch(
      /^opscrew_monitor_alertmanager_alerts_total\{outcome="duplicate",reason=""\} 2$/m,
    );
    expect(metrics).toMatch(
      /^opscrew_monitor_alertmanager_alerts_total\{outcome="rejected",reason="no_symptom"\} 2$/m,
    );
    expect(metrics).toMatch(
      /^opscrew_monitor_alertmanager_alerts_total\{outcome="rejected",reason="unknown_service"\} 1$/m,
    );
    expect(metrics).toMatch(/^opscrew_monitor_alertmanager_truncated_alerts_total 4$/m);
    expect(metrics).toMatch(/^opscrew_monitor_reports_total\{outcome="opened"\} 2$/m);
  });

  it('takes a large group whole (beyond Nest’s 100 kB default), and refuses a body over 1 MiB (413)', async () => {
    const big = {
      ...REAL,
      alerts: Array.from({ length: 300 }, (_, i) =>
        alert(
          `bbbb${String(i).padStart(12, '0')}`,
          { alertname: 'CartErrors', service: 'cart', pod: `cart-${i}` },
          { description: 'd'.repeat(400) },
        ),
      ),
    };
    expect(JSON.stringify(big).length).toBeGreaterThan(200_000);
    const taken = await post(big);
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ received: 300, reported: 300, rejected: [] });
    const huge = await post({ ...REAL, padding: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
  });

  it('refuses a call without the bearer token (401) and a malformed body (400 naming the field)', async () => {
    const anonymous = await post(REAL, {});
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(anonymous.body)).toContain(
      'missing \\"Authorization: Bearer <token>\\" header',
    );
    const wrong = await post(REAL, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);

    const bad = await post({ ...REAL, alerts: [{ ...PROBE, status: 'exploded' }] });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      message:
        'POST /alerts/alertmanager: invalid webhook payload: alerts.0.status: must be one of firing, resolved',
    });
    const notJson = await post('{"version": "4",');
    expect(notJson.status).toBe(400);
  });
});

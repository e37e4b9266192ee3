import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AlertmanagerIntakeConfig } from '@opscrew/config';
import { parseEvent } from '@opscrew/contracts';
import { shippedConfig } from '../testing/in-memory-crew';
import { mapAlert } from './alertmanager-alert.mapper';
import { AlertmanagerPayloadPipe } from './alertmanager-payload.pipe';
import { type AlertmanagerWebhookDto } from './alertmanager-webhook.dto';

const config = shippedConfig();
/** A real Alertmanager v4 body (fixtures/SOURCES.md says where it comes from). */
const REAL = JSON.parse(
  readFileSync(join(__dirname, 'fixtures/alertmanager-v4.probe-failure.json'), 'utf8'),
) as Record<string, unknown> & { alerts: Record<string, unknown>[] };

const mapping = (overrides: Partial<AlertmanagerIntakeConfig> = {}): AlertmanagerIntakeConfig => ({
  ...config.integrations.alertmanager,
  ...overrides,
});

/** The real body with one alert's labels and annotations replaced, validated like the endpoint does. */
function payload(
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
  alert: Record<string, unknown> = {},
): AlertmanagerWebhookDto {
  const [first] = REAL.alerts;
  return new AlertmanagerPayloadPipe().transform({
    ...REAL,
    alerts: [{ ...first, labels, annotations, ...alert }],
  });
}

function mapOne(body: AlertmanagerWebhookDto, overrides: Partial<AlertmanagerIntakeConfig> = {}) {
  const [alert] = body.alerts;
  if (!alert) throw new Error('no alert');
  return mapAlert(alert, body, mapping(overrides), config.services);
}

describe('mapAlert (Alertmanager alert → incident.reported)', () => {
  it('rejects the real probe alert: its job names no watched service, and says what it carried', () => {
    const body = new AlertmanagerPayloadPipe().transform(REAL);
    const mapped = mapOne(body);
    expect(mapped.ok).toBe(false);
    if (mapped.ok) return;
    expect(mapped.rejection).toMatchObject({
      fingerprint: '1a30ba71cca2921f',
      code: 'unknown_service',
    });
    expect(mapped.rejection.reason).toMatch(
      /^no watched service in labels service, service_name, job \(got job="http_checks"; watched, with aliases: frontend \(frontendservice\), /,
    );
  });

  it('maps a firing alert: service by label (alias too), symptom by alertname, value and severity from the alert', () => {
    const mapped = mapOne(
      payload(
        { alertname: 'CartErrors', job: 'node', service_name: 'cartservice', severity: 'warning' },
        { summary: 'cart 5xx above 10 %', value: '0.42', runbook_url: 'https://runbooks/x' },
      ),
      { symptoms_by_alertname: { CartErrors: 'high_error_rate' } },
    );
    expect(mapped).toEqual({
      ok: true,
      id: 'am.1a30ba71cca2921f.firing.2023-02-06T13:08:45.828Z',
      report: {
        service: 'cart',
        symptom: 'high_error_rate',
        value: 0.42,
        severity: 'medium',
        reporter: 'alertmanager',
        dedup_key: '1a30ba71cca2921f',
        status: 'firing',
        summary: 'cart 5xx above 10 %',
        evidence: {
          alertname: 'CartErrors',
          starts_at: '2023-02-06T13:08:45.828Z',
          generator_url:
            'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1',
          runbook_url: 'https://runbooks/x',
          receiver: 'sms',
          group_key: '{}/{severity="critical"}:{alertname="ProbeFailure"}',
        },
      },
    });
    // What it maps to is a valid event for the contract.
    if (mapped.ok)
      expect(
        parseEvent('incident.reported', {
          ...mapped.report,
          schema: 1,
          id: mapped.id,
          at: '2026-12-06T12:00:00.000Z',
          source: 'external',
        }).ok,
      ).toBe(true);
  });

  it('takes the symptom label over the alertname map, the first label naming a watched service, and a resolved status', () => {
    const mapped = mapOne(
      payload(
        { alertname: 'Whatever', service: 'not-ours', job: 'payment', symptom: 'high_latency' },
        { value: '6.5e+03', threshold: '5000' },
        { status: 'resolved', endsAt: '2023-02-06T13:20:00Z' },
      ),
    );
    expect(mapped.ok && mapped.report).toMatchObject({
      service: 'payment',
      symptom: 'high_latency',
      value: 6500,
      threshold: 5000,
      status: 'resolved',
    });
    expect(mapped.ok && mapped.id).toBe('am.1a30ba71cca2921f.resolved.2023-02-06T13:20:00Z');
    expect(mapped.ok && 'severity' in mapped.report).toBe(false);
  });

  it('falls back to the symptom default value when value is missing or not a number, and leaves an unmapped severity to the bands', () => {
    const mapped = mapOne(
      payload(
        {
          alertname: 'X',
          service: 'ad',
          symptom: 'high_error_rate',
          severity: 'page',
          value: 'n/a',
        },
        { value: 'high' },
      ),
    );
    expect(mapped.ok && mapped.report).toMatchObject({ value: 0.12 });
    expect(mapped.ok && mapped.report.severity).toBeUndefined();
    expect(mapped.ok && mapped.report.evidence?.['value']).toBe('not given: the symptom default');
    // Label values are matched case-insensitively against the map (CRITICAL, Warning, …).
    const upper = mapOne(
      payload({ alertname: 'X', service: 'ad', symptom: 'oom_kill', severity: 'CRITICAL' }),
    );
    expect(upper.ok && upper.report.severity).toBe('critical');
  });

  it('rejects an alert without a symptom, or with an unknown one, naming the fix', () => {
    const none = mapOne(payload({ alertname: 'DiskFull', service: 'cart' }));
    expect(none.ok ? null : none.rejection).toEqual({
      fingerprint: '1a30ba71cca2921f',
      code: 'no_symptom',
      reason: expect.stringMatching(
        /^alertname "DiskFull" has no symptom: add a symptom label to the alerting rule or map it in integrations\.alertmanager\.symptoms_by_alertname \(known: high_error_rate, /,
      ) as unknown,
    });
    const unknown = mapOne(payload({ alertname: 'X', service: 'cart', symptom: 'disk_full' }));
    expect(unknown.ok ? null : unknown.rejection.reason).toMatch(
      /^label symptom="disk_full" is not a known symptom \(known: high_error_rate, /,
    );
  });

  it('tries the configured service labels in their order', () => {
    const labels = { alertname: 'X', symptom: 'oom_kill', app: 'checkout', job: 'cart' };
    expect(mapOne(payload(labels)).ok && mapOne(payload(labels))).toMatchObject({
      report: { service: 'cart' },
    });
    expect(mapOne(payload(labels), { service_labels: ['app', 'job'] })).toMatchObject({
      report: { service: 'checkout' },
    });
  });
});

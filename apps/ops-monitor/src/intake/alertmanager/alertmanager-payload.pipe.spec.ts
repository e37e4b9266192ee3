import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadRequestException } from '@nestjs/common';
import { AlertmanagerPayloadPipe } from './alertmanager-payload.pipe';
import { AlertmanagerWebhookDto, MAX_ALERTS } from './alertmanager-webhook.dto';

const REAL = JSON.parse(
  readFileSync(join(__dirname, 'fixtures/alertmanager-v4.probe-failure.json'), 'utf8'),
) as Record<string, unknown> & { alerts: Record<string, unknown>[] };

const pipe = new AlertmanagerPayloadPipe();

function refusal(body: unknown): string {
  try {
    pipe.transform(body);
  } catch (error) {
    if (error instanceof BadRequestException) return error.message;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('AlertmanagerPayloadPipe (POST /alerts/alertmanager body)', () => {
  it('accepts a real Alertmanager v4 body as is', () => {
    const dto = pipe.transform(REAL);
    expect(dto).toBeInstanceOf(AlertmanagerWebhookDto);
    expect(dto.alerts[0]?.labels['alertname']).toBe('ProbeFailure');
    expect(dto.truncatedAlerts).toBe(0);
  });

  it('drops keys it does not name (newer Alertmanager, Grafana) instead of refusing the notification', () => {
    const [alert] = REAL.alerts;
    const dto = pipe.transform({
      ...REAL,
      notification_reason: 'new alerts',
      routeLabels: { team: 'sre' },
      orgId: 1,
      alerts: [{ ...alert, silenceURL: 'http://g/silence', values: { B: 44.2 } }],
    });
    expect(dto.notification_reason).toBe('new alerts');
    expect(dto).not.toHaveProperty('orgId');
    expect(dto).not.toHaveProperty('routeLabels');
    expect(dto.alerts[0]).not.toHaveProperty('silenceURL');
  });

  it('answers 400 naming every wrong field', () => {
    const [alert] = REAL.alerts;
    expect(
      refusal({
        ...REAL,
        status: 'burning',
        truncatedAlerts: -1,
        alerts: [{ ...alert, status: 'on', labels: { a: 1 }, fingerprint: 'not hex!' }],
      }),
    ).toBe(
      'POST /alerts/alertmanager: invalid webhook payload: truncatedAlerts: must be ≥ 0; ' +
        'status: must be one of firing, resolved; alerts.0.status: must be one of firing, resolved; ' +
        'alerts.0.labels: must be an object of at most 128 string values (names 1-256 characters, values ≤ 8192); ' +
        'alerts.0.fingerprint: must be a hex fingerprint (1-64 digits)',
    );
    expect(refusal({ ...REAL, alerts: undefined })).toBe(
      'POST /alerts/alertmanager: invalid webhook payload: alerts: must be a list of at most 500 alerts (set max_alerts in the receiver)',
    );
    expect(refusal({ ...REAL, groupKey: undefined })).toMatch(
      /groupKey: must be a string of at most 4096 characters$/,
    );
  });

  it('bounds the notification: alerts, label values, nesting', () => {
    const [alert] = REAL.alerts;
    expect(
      refusal({ ...REAL, alerts: Array.from({ length: MAX_ALERTS + 1 }, () => alert) }),
    ).toMatch(/alerts: must be a list of at most 500 alerts \(set max_alerts in the receiver\)/);
    expect(
      refusal({ ...REAL, alerts: [{ ...alert, annotations: { description: 'x'.repeat(9000) } }] }),
    ).toMatch(/alerts\.0\.annotations: must be an object of at most 128 string values/);
  });

  it('refuses a body that is not an object, and prototype keys anywhere', () => {
    expect(refusal([REAL])).toBe(
      'POST /alerts/alertmanager: the body must be a JSON object (Alertmanager webhook payload, Content-Type: application/json)',
    );
    const [alert] = REAL.alerts;
    const poisoned = JSON.parse(
      JSON.stringify({ ...REAL, alerts: [alert] }).replace('"monitor"', '"__proto__"'),
    ) as unknown;
    expect(refusal(poisoned)).toBe(
      'POST /alerts/alertmanager: alerts.0.labels.__proto__: key "__proto__" is not allowed',
    );
  });
});

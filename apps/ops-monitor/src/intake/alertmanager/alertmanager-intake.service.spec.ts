import { errorMessage } from '@opscrew/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { OpsMonitorMetrics } from '../../telemetry/ops-monitor.metrics';
import { shippedConfig } from '../testing/in-memory-crew';
import { AlertmanagerIntake } from './alertmanager-intake.service';
import { AlertmanagerPayloadPipe } from './alertmanager-payload.pipe';

const config = shippedConfig();
const REAL = JSON.parse(
  readFileSync(join(__dirname, 'fixtures/alertmanager-v4.probe-failure.json'), 'utf8'),
) as Record<string, unknown> & { alerts: Record<string, unknown>[] };
const [PROBE] = REAL.alerts;

const notification = new AlertmanagerPayloadPipe().transform({
  ...REAL,
  alerts: [
    {
      ...PROBE,
      fingerprint: 'b1',
      labels: { alertname: 'A', service: 'cart', symptom: 'oom_kill' },
    },
    { ...PROBE, fingerprint: 'b2', labels: { alertname: 'B', service: 'ad', symptom: 'oom_kill' } },
  ],
});

describe('AlertmanagerIntake (nothing lost: a 2xx only once JetStream stored every report)', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('answers 503 (Alertmanager retries) when any publish is not acknowledged, after trying them all', async () => {
    const publish = jest
      .fn()
      .mockResolvedValueOnce({ seq: 1, duplicate: false })
      .mockRejectedValueOnce(new Error('TIMEOUT'));
    const intake = new AlertmanagerIntake(config, { publish }, new OpsMonitorMetrics());
    const error = await intake.receive(notification).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ServiceUnavailableException);
    expect(errorMessage(error)).toBe(
      'POST /alerts/alertmanager: 1 of 2 report(s) not acknowledged by JetStream (TIMEOUT); answer 503 so Alertmanager retries — reports already stored are deduplicated',
    );
    expect(publish).toHaveBeenCalledTimes(2);
    // The retry carries the same Msg-Ids: what was stored is not stored twice.
    expect(publish.mock.calls.map((call: unknown[]) => (call[2] as { id: string }).id)).toEqual([
      'am.b1.firing.2023-02-06T13:08:45.828Z',
      'am.b2.firing.2023-02-06T13:08:45.828Z',
    ]);
  });
});

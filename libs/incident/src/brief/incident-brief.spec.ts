import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { type FingerprintRecord } from '@opscrew/contracts';
import { briefFacts, buildBrief, formatValue } from './incident-brief';
import { renderAlert, renderTicket } from './incident-brief.renderers';

const config = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config;
const record = (overrides: Partial<FingerprintRecord> = {}): FingerprintRecord => ({
  fingerprint: 'cart:high_error_rate',
  incident_id: 'INC-20261124-007',
  service: 'cart',
  symptom: 'high_error_rate',
  severity: 'high',
  metric: 'error_rate_ratio',
  rule: 'absolute',
  detail: 'error rate 12.0 % above 2.00 % at 20.0 rps',
  threshold: 0.02,
  opened_at: '2026-11-24T10:00:00.000Z',
  last_seen_at: '2026-11-24T10:00:00.000Z',
  count: 1,
  first_value: 0.12,
  last_value: 0.12,
  peak_value: 0.12,
  published_peak: 0.12,
  published_severity: 'high',
  announced: false,
  informational: false,
  ...overrides,
});

describe('incident brief → ticket and alert', () => {
  it('gives the ticket everything the seed asked for: time, service, symptom with value and threshold, impact, runbook', () => {
    const ticket = renderTicket(buildBrief(briefFacts(record()), config), [
      'auto-detected',
      'ops-monitor',
    ]);
    expect(ticket.summary).toBe('[Auto] cart: error rate spike (12.0 %)');
    expect(ticket.idempotency_key).toBe('ticket:INC-20261124-007');
    expect(ticket.labels).toEqual(['auto-detected', 'ops-monitor']);
    const sections = Object.fromEntries(ticket.sections.map((s) => [s.label, s.text]));
    expect(sections['Detected at']).toBe('2026-11-24T10:00:00.000Z');
    expect(sections.Service).toBe('cart (calls valkey-cart, flagd)');
    expect(sections.Symptom).toBe(
      'high_error_rate: 12.0 % (threshold 2.00 %) — error rate 12.0 % above 2.00 % at 20.0 rps',
    );
    expect(sections.Impact).toMatch(/^Significant: a core shopping function degrades/);
    expect(sections['Recommended runbook']).toMatch(
      /^high_error_rate: Error rate above threshold .* Steps: 1\. check_logs/,
    );
    // No SigNoz configured in the embedded demo: no trace link rather than a dead one.
    expect(sections.Traces).toBeUndefined();
  });

  it('says so when no runbook matches (actionability: a human knows it is theirs)', () => {
    const ticket = renderTicket(
      buildBrief(
        briefFacts(
          record({ symptom: 'traffic_drop', metric: 'request_rate_rps', first_value: 0.5 }),
        ),
        config,
      ),
      [],
    );
    expect(ticket.sections.find((s) => s.label === 'Recommended runbook')?.text).toBe(
      'none matched symptom traffic_drop: a human should triage this one',
    );
  });

  it('renders a short alert with the same facts', () => {
    const alert = renderAlert(
      buildBrief(briefFacts(record({ severity: 'critical', first_value: 0.35 })), config),
    );
    expect(alert).toMatchObject({
      idempotency_key: 'alert:INC-20261124-007',
      kind: 'incident',
      severity: 'critical',
      title: 'INC-20261124-007 cart: error rate spike (35.0 %)',
    });
    expect(alert.fields.map((f) => `${f.name}=${f.value}`)).toEqual([
      'Service=cart',
      'Severity=critical',
      'Value=35.0 % (threshold 2.00 %)',
      'Runbook=high_error_rate',
      'Detected at=2026-11-24T10:00:00.000Z',
    ]);
  });

  it('formats values in their units', () => {
    expect([
      formatValue('error_rate_ratio', 0.0123),
      formatValue('latency_p99_ms', 812.4),
      formatValue('latency_p99_ms', 12_500),
      formatValue('cpu_usage_percent', 93.2),
    ]).toEqual(['1.23 %', '812 ms', '12.5 s', '93 %']);
  });
});

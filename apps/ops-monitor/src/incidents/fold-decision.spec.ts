import { type IncidentImpact } from '@opscrew/contracts';
import { newRecord } from './fingerprint-record';
import { decideFold } from './fold-decision';
import { type Sighting } from './sighting';

const OPENED = new Date('2026-03-02T10:00:00.000Z');
const LATER = new Date('2026-03-02T10:01:00.000Z');

function sighting(overrides: Partial<Sighting> = {}): Sighting {
  return {
    service: 'checkout',
    symptom: 'high_error_rate',
    rule: 'absolute',
    metric: 'error_rate',
    value: 0.1,
    threshold: 0.05,
    severity: 'high',
    informational: false,
    detail: 'error rate 10 % > 5 %',
    ...overrides,
  };
}

const opened = { ...newRecord('INC-1', sighting(), OPENED), announced: true };

describe('decideFold', () => {
  it('counts a repeat sighting and keeps it quiet when nothing is news', () => {
    const { next, meaningful, reopen } = decideFold(
      opened,
      sighting({ value: 0.11 }),
      LATER,
      'open',
    );
    expect(next).toMatchObject({
      count: 2,
      last_seen_at: LATER.toISOString(),
      last_value: 0.11,
      peak_value: 0.11,
      published_peak: 0.1,
    });
    expect({ meaningful, reopen }).toEqual({ meaningful: false, reopen: false });
  });

  it('calls a peak 25 % above the published one news, and publishes it', () => {
    const { next, meaningful } = decideFold(opened, sighting({ value: 0.125 }), LATER, undefined);
    expect(meaningful).toBe(true);
    expect(next).toMatchObject({ peak_value: 0.125, published_peak: 0.125 });
  });

  it('calls a worse severity news and keeps the worst', () => {
    const { next, meaningful } = decideFold(
      opened,
      sighting({ severity: 'critical' }),
      LATER,
      undefined,
    );
    expect(meaningful).toBe(true);
    expect(next).toMatchObject({ severity: 'critical', published_severity: 'critical' });
    expect(decideFold(opened, sighting({ severity: 'low' }), LATER, undefined).next.severity).toBe(
      'high',
    );
  });

  it('adds a new symptom without taking another metric as a peak', () => {
    const { next, meaningful } = decideFold(
      opened,
      sighting({ symptom: 'high_latency', metric: 'latency_p95', value: 900 }),
      LATER,
      undefined,
    );
    expect(meaningful).toBe(true);
    expect(next.symptoms).toEqual(['high_error_rate', 'high_latency']);
    expect(next).toMatchObject({ metric: 'error_rate', last_value: 0.1, peak_value: 0.1 });
  });

  it('records a caller as impact, not its dependency_failure as our symptom', () => {
    const impact: IncidentImpact = {
      service: 'frontend',
      symptom: 'dependency_failure',
      severity: 'high',
      peak_value: 3,
      first_seen_at: LATER.toISOString(),
      last_seen_at: LATER.toISOString(),
    };
    const { next, meaningful } = decideFold(
      opened,
      sighting({ symptom: 'dependency_failure', metric: 'dep', impact }),
      LATER,
      undefined,
    );
    expect(meaningful).toBe(true);
    expect(next.symptoms).toEqual(['high_error_rate']);
    expect(next.impact).toHaveLength(1);
  });

  it('reopens an incident the crew resolved', () => {
    expect(decideFold(opened, sighting(), LATER, 'resolved')).toMatchObject({
      meaningful: true,
      reopen: true,
    });
  });

  it("records a caller's symptom after resolution as impact without reopening", () => {
    const impact: IncidentImpact = {
      service: 'frontend',
      symptom: 'high_error_rate',
      severity: 'high',
      peak_value: 0.2,
      first_seen_at: LATER.toISOString(),
      last_seen_at: LATER.toISOString(),
    };
    const { next, reopen } = decideFold(
      opened,
      sighting({ service: 'frontend', impact }),
      LATER,
      'resolved',
    );
    expect(reopen).toBe(false);
    expect(next.impact).toEqual([impact]);
  });

  it('remembers a report for correlation', () => {
    const { next } = decideFold(
      opened,
      sighting({ report: { id: 'evt-1', reporter: 'alertmanager', dedup_key: 'k1' } }),
      LATER,
      undefined,
    );
    expect(next).toMatchObject({
      reporters: ['alertmanager'],
      dedup_keys: ['k1'],
      report_ids: ['evt-1'],
    });
  });

  it('leaves the record it folds into untouched', () => {
    const before = structuredClone(opened);
    decideFold(opened, sighting({ value: 1, severity: 'critical' }), LATER, 'resolved');
    expect(opened).toEqual(before);
  });
});

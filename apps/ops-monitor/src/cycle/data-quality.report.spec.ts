import { buildEvent } from '@opscrew/contracts';
import { dataQualityReport } from './data-quality.report';

describe('dataQualityReport', () => {
  it('an implausible value carries the value and its limit', () => {
    expect(
      dataQualityReport({
        kind: 'implausible',
        service: 'recommendation',
        metric: 'latency_p99_ms',
        value: 600_000,
        limit: 300_000,
        message: 'recommendation: p99 latency 600000 ms is beyond 300000 ms …',
      }),
    ).toEqual({
      kind: 'data-quality',
      title: 'data_quality: recommendation latency_p99_ms',
      text: 'recommendation: p99 latency 600000 ms is beyond 300000 ms …',
      fields: {
        service: 'recommendation',
        metric: 'latency_p99_ms',
        kind: 'implausible',
        value: 600_000,
        limit: 300_000,
      },
    });
  });

  it('missing data carries why, cut to the event limits', () => {
    const report = dataQualityReport({
      kind: 'missing',
      service: 'cart',
      metric: 'error_rate_ratio',
      reason: `scrape failed: ${'x'.repeat(5000)}`,
      message: `cart error_rate_ratio: ${'y'.repeat(5000)}`,
    });
    expect(report.title).toBe('data_quality: cart error_rate_ratio missing');
    expect(report.fields).toMatchObject({
      service: 'cart',
      metric: 'error_rate_ratio',
      kind: 'missing',
    });
    expect(String(report.fields['reason'])).toHaveLength(1024);
    expect(report.text).toHaveLength(4000);
    // What the publisher sends is a valid report.data-quality (buildEvent validates, or throws).
    expect(buildEvent('report.data-quality', report, 'ops-monitor')).toMatchObject({
      kind: 'data-quality',
    });
  });
});

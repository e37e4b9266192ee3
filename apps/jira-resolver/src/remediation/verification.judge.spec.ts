import { type ServiceSample } from '@opscrew/integrations';
import { judgeSample } from './verification.judge';

const criteria = { error_rate_below: 0.01, latency_below_ms: 3000, consecutive_checks: 2 };
const sample = (error_rate_ratio: number | null, latency_p99_ms: number | null): ServiceSample => ({
  service: 'cart',
  at: '2026-11-24T10:00:00.000Z',
  window_s: 30,
  request_rate_rps: 12,
  error_rate_ratio,
  latency_p99_ms,
});

describe('judgeSample', () => {
  it('passes only when both error rate and p99 are under the bars', () => {
    expect(judgeSample(sample(0.002, 300), criteria)).toEqual({
      pass: true,
      detail: 'error rate 0.20 % (< 1.00 %: ok), p99 300 ms (< 3000 ms: ok) at 12.0 rps',
    });
    expect(judgeSample(sample(0.05, 300), criteria).pass).toBe(false);
    expect(judgeSample(sample(0.002, 3000), criteria).pass).toBe(false);
  });

  it('counts silence as not proven', () => {
    // Not proven, and not a failure of the fix either: inconclusive (the engine waits longer).
    expect(judgeSample(sample(null, null), criteria)).toMatchObject({
      pass: false,
      inconclusive: true,
      detail: expect.stringMatching(/^no traffic/),
    });
    expect(judgeSample(undefined, criteria, 'first scrape: no window yet')).toEqual({
      pass: false,
      inconclusive: true,
      detail: 'no metrics (first scrape: no window yet)',
    });
  });

  it('errors nobody can measure prove nothing either: inconclusive, saying why', () => {
    const reason =
      'no http_requests_total series with a status label among code — errors cannot be measured';
    expect(
      judgeSample(
        { ...sample(null, 200), unmeasured: [{ metric: 'error_rate_ratio', reason }] },
        criteria,
      ),
    ).toEqual({
      pass: false,
      inconclusive: true,
      detail: `cannot verify: error_rate_ratio ${reason}`,
    });
  });
});

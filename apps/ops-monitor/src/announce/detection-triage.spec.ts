import {
  type LogSearch,
  type MetricsSource,
  type TraceSearch,
  type TraceSummary,
} from '@opscrew/integrations';
import { QueryRateLimit } from '@opscrew/guardrails';
import { type EvidenceItem, RulesLlmClient, type TriageOptions } from '@opscrew/llm';
import { DetectionTriage, TRIAGE_TOOLS, triageComment } from './detection-triage';
import { fingerprintFixture } from './testing/fingerprint.fixture';

const NOW = Date.parse('2026-11-25T03:01:00.000Z');
const noSamples: MetricsSource['collect'] = () =>
  Promise.resolve({ at: new Date(NOW).toISOString(), samples: [], missing: [] });

const trace = (id: string, durationMs: number, error: boolean): TraceSummary => ({
  trace_id: id,
  service: 'cart',
  operation: 'POST /cart/add',
  duration_ms: durationMs,
  has_error: error,
  at: '2026-11-25T02:59:30.000Z',
});

/** A SigNoz-like source whose trace search the test scripts and records. */
function withTraces(answer: () => Promise<TraceSummary[]>) {
  const searches: Parameters<TraceSearch['searchTraces']>[] = [];
  const source: MetricsSource & TraceSearch = {
    kind: 'signoz',
    collect: noSamples,
    searchTraces: (service, options) => {
      searches.push([service, options]);
      return answer();
    },
  };
  return { source, searches };
}

describe('DetectionTriage', () => {
  it('without trace search: the rules summary from what was measured', async () => {
    const triage = new DetectionTriage(new RulesLlmClient(), {
      kind: 'scrape',
      collect: noSamples,
    });
    const result = await triage.triage(fingerprintFixture());
    expect(result.evidence).toEqual([
      {
        source: 'ops-monitor.detection',
        text: 'absolute: error_rate_ratio 0.31 (threshold 0.05) — error rate 31.0 % above 5.0 %',
      },
    ]);
    expect(result.summary.probable_cause).toMatch(/^cart: the service is failing requests/);
    expect(triageComment('rules', result)).toMatch(
      /^Detection triage \(rules, from ops-monitor\.detection\): probable cause: cart: .+\. What to check: cart: .+\.$/,
    );
  });

  it('an error symptom quotes the failing traces of the last 15 minutes', async () => {
    const { source, searches } = withTraces(() =>
      Promise.resolve([trace('t1', 120, true), trace('t2', 80, true)]),
    );
    const result = await new DetectionTriage(new RulesLlmClient(), source, () => NOW).triage(
      fingerprintFixture(),
    );
    expect(searches).toEqual([
      ['cart', { errorsOnly: true, sinceMs: NOW - 15 * 60_000, limit: 10 }],
    ]);
    expect(result.evidence[1]).toEqual({
      source: 'traces:cart',
      text:
        '2026-11-25T02:59:30.000Z cart POST /cart/add 120 ms error trace t1\n' +
        '2026-11-25T02:59:30.000Z cart POST /cart/add 80 ms error trace t2',
    });
    expect(triageComment('rules', result)).toMatch(
      /^Detection triage \(rules, from ops-monitor\.detection, traces\)/,
    );
  });

  it('with log search too (SigNoz): the error logs are evidence, and the rules read them', async () => {
    const { source: traces } = withTraces(() => Promise.resolve([]));
    const searched: Parameters<LogSearch['searchLogs']>[] = [];
    const source: MetricsSource & TraceSearch & LogSearch = {
      ...traces,
      searchLogs: (service, options) => {
        searched.push([service, options]);
        return Promise.resolve([
          {
            at: '2026-11-25T02:59:40.000Z',
            service,
            severity: 'ERROR',
            body: 'dial tcp valkey-cart:6379: connect: connection refused',
          },
        ]);
      },
    };
    const result = await new DetectionTriage(new RulesLlmClient(), source, () => NOW).triage(
      fingerprintFixture(),
    );
    expect(searched).toEqual([['cart', { sinceMs: NOW - 15 * 60_000, limit: 10 }]]);
    expect(result.evidence[2]).toEqual({
      source: 'logs:cart',
      text: '2026-11-25T02:59:40.000Z ERROR dial tcp valkey-cart:6379: connect: connection refused',
    });
    // The rules' evidence patterns read the logs: a refused connection points at a dependency.
    expect(result.summary.probable_cause).toMatch(/a dependency refuses connections/);
    expect(triageComment('rules', result)).toMatch(
      /^Detection triage \(rules, from ops-monitor\.detection, traces, logs\)/,
    );
  });

  it('in a storm the searches stop at their budget (detection keeps the rest): the triage says so', async () => {
    const { source, searches } = withTraces(() => Promise.resolve([trace('t1', 120, true)]));
    const triage = new DetectionTriage(
      new RulesLlmClient(),
      source,
      () => NOW,
      QueryRateLimit.perMinute('triage.searches', 2, () => NOW),
    );
    await triage.triage(fingerprintFixture());
    await triage.triage(fingerprintFixture());
    const third = await triage.triage(fingerprintFixture());
    expect(searches).toHaveLength(2);
    expect(third.evidence[1]?.text).toMatch(
      /^trace search skipped: the triage's search budget is spent \(triage\.searches: rate limit of 2/,
    );
    expect(third.summary.what_to_check.length).toBeGreaterThan(0);
  });

  it('a latency symptom quotes the slowest traces first, failing or not', async () => {
    const { source, searches } = withTraces(() =>
      Promise.resolve([trace('fast', 40, false), trace('slow', 2400, false)]),
    );
    const result = await new DetectionTriage(new RulesLlmClient(), source, () => NOW).triage(
      fingerprintFixture({ symptom: 'high_latency', metric: 'latency_p99_ms', first_value: 2400 }),
    );
    expect(searches[0]?.[1]).toEqual({ sinceMs: NOW - 15 * 60_000, limit: 10 });
    expect(result.evidence[1]?.text.split('\n')[0]).toMatch(/2400 ms trace slow$/);
  });

  it('a failed trace search is evidence too (said so), never a failed triage', async () => {
    const { source } = withTraces(() => Promise.reject(new Error('SigNoz breaker open')));
    const result = await new DetectionTriage(new RulesLlmClient(), source).triage(
      fingerprintFixture(),
    );
    expect(result.evidence[1]).toEqual({
      source: 'traces:cart',
      text: 'trace search unavailable: SigNoz breaker open',
    });
    expect(result.summary.what_to_check.length).toBeGreaterThan(0);
  });

  it('offers the model SigNoz’s read-only search tools (the whitelist still decides)', async () => {
    const asked: { evidence: readonly EvidenceItem[]; options: TriageOptions | undefined }[] = [];
    const triage = new DetectionTriage(
      {
        kind: 'anthropic',
        triageSummary: (_facts, evidence, options) => {
          asked.push({ evidence, options });
          return Promise.resolve({ probable_cause: 'x', what_to_check: ['y'] });
        },
      },
      { kind: 'scrape', collect: noSamples },
    );
    await triage.triage(fingerprintFixture());
    expect(asked[0]?.options).toEqual({ tools: TRIAGE_TOOLS });
    expect(TRIAGE_TOOLS.every((tool) => /^signoz_(search|get|aggregate)_/.test(tool))).toBe(true);
  });
});

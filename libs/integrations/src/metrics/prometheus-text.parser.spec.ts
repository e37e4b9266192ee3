import { Counter, Histogram, Registry } from 'prom-client';
import { ExpositionParseError, parsePrometheusText } from './prometheus-text.parser';

describe('parsePrometheusText', () => {
  it('reads counters, labelled histograms (every series, _sum and _count) and metadata', () => {
    const parsed = parsePrometheusText(
      [
        '# HELP http_requests_total Total requests.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="GET",route="/cart",status_code="200"} 1027',
        'http_requests_total{method="GET",route="/cart",status_code="503"} 3 1395066363000',
        '# TYPE http_request_duration_seconds histogram',
        'http_request_duration_seconds_bucket{le="0.1",route="/a"} 5',
        'http_request_duration_seconds_bucket{le="+Inf",route="/a"} 7',
        'http_request_duration_seconds_sum{route="/a"} 1.5',
        'http_request_duration_seconds_count{route="/a"} 7',
        'http_request_duration_seconds_bucket{le="0.1",route="/b"} 1',
        'http_request_duration_seconds_bucket{le="+Inf",route="/b"} 1',
        '',
        'process_cpu_seconds_total 1.5e-3',
      ].join('\n'),
    );
    expect(parsed.types.get('http_requests_total')).toBe('counter');
    expect(parsed.types.get('http_request_duration_seconds')).toBe('histogram');
    expect(parsed.help.get('http_requests_total')).toBe('Total requests.');
    expect(parsed.samples).toHaveLength(9);
    expect(parsed.samples[1]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'GET', route: '/cart', status_code: '503' },
      value: 3,
      timestampMs: 1395066363000,
    });
    const buckets = parsed.samples.filter((s) => s.name === 'http_request_duration_seconds_bucket');
    expect(buckets.map((s) => [s.labels['route'], s.labels['le'], s.value])).toEqual([
      ['/a', '0.1', 5],
      ['/a', '+Inf', 7],
      ['/b', '0.1', 1],
      ['/b', '+Inf', 1],
    ]);
    expect(parsed.samples.at(-1)).toEqual({
      name: 'process_cpu_seconds_total',
      labels: {},
      value: 0.0015,
    });
  });

  it('unescapes label values (\\\\, \\", \\n) and keeps commas, braces and # inside them', () => {
    const parsed = parsePrometheusText('m{path="C:\\\\dir\\"x\\"",msg="a\\nb",odd="{x}, # y"} 1\n');
    expect(parsed.samples[0]?.labels).toEqual({ path: 'C:\\dir"x"', msg: 'a\nb', odd: '{x}, # y' });
  });

  it('accepts the value spellings Prometheus writes', () => {
    const parsed = parsePrometheusText('a NaN\nb +Inf\nc -Inf\nd 12\ne -0.5e2\nf .5\n');
    expect(parsed.samples.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity, 12, -50, 0.5]);
  });

  it('tolerates a trailing comma, blanks, CRLF, OpenMetrics EOF and exemplars', () => {
    const parsed = parsePrometheusText(
      'a{x="1",} 2\r\n  b { y = "2" }   3  \n# EOF\nc_bucket{le="1"} 4 # {trace_id="abc"} 0.5\n',
    );
    expect(parsed.samples.map((s) => [s.name, s.labels, s.value])).toEqual([
      ['a', { x: '1' }, 2],
      ['b', { y: '2' }, 3],
      ['c_bucket', { le: '1' }, 4],
    ]);
  });

  it('a label named __proto__ is just a label', () => {
    const parsed = parsePrometheusText('a{__proto__="x"} 1\n');
    expect(parsed.samples[0]?.labels['__proto__']).toBe('x');
  });

  it.each([
    ['a{x="1} 2', /line 1: unterminated label value/],
    ['a{x=1} 2', /line 1: expected "\\"" at column 5/],
    ['a{x="1",x="2"} 2', /duplicate label x/],
    ['a{x="\\q"} 2', /invalid escape/],
    ['a', /missing value/],
    ['a one', /invalid value "one"/],
    ['a 1 2 3', /unexpected text after the value/],
    ['# TYPE a sometype', /unknown metric type/],
    ['a 1 x', /invalid timestamp/],
  ])('fails the whole exposition on a malformed line: %s', (line, message) => {
    expect(() => parsePrometheusText(line)).toThrow(message);
    expect(() => parsePrometheusText(line)).toThrow(ExpositionParseError);
  });

  it('names the line number', () => {
    expect(() => parsePrometheusText('a 1\nb 2\nc{ 3\n')).toThrow(/^line 3: /);
  });

  it("reads prom-client's own output", async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'http_requests_total',
      help: 'requests',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    });
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'latency',
      labelNames: ['route'],
      buckets: [0.05, 0.1],
      registers: [registry],
    });
    counter.inc({ method: 'GET', route: '/a "quoted"\\path', status_code: '200' }, 4);
    histogram.observe({ route: '/a' }, 0.07);
    const parsed = parsePrometheusText(await registry.metrics());
    expect(parsed.samples.find((s) => s.name === 'http_requests_total')?.labels['route']).toBe(
      '/a "quoted"\\path',
    );
    expect(
      parsed.samples
        .filter((s) => s.name === 'http_request_duration_seconds_bucket')
        .map((s) => [s.labels['le'], s.value]),
    ).toEqual([
      ['0.05', 0],
      ['0.1', 1],
      ['+Inf', 1],
    ]);
  });
});

import fc from 'fast-check';
import { type Severity } from '@opscrew/contracts';
import { type Anomaly } from './anomaly';
import { type Attribute, CallerHold } from './caller-hold';

const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

const own = (service: string, severity: Severity = 'high', value = 0.2): Anomaly => ({
  service,
  symptom: 'high_error_rate',
  rule: 'absolute',
  metric: 'error_rate_ratio',
  value,
  severity,
  informational: false,
  detail: `${service} errs`,
});

/** Blames `caller` on `culprit` while `culprit` is in `troubled` (what the engine's finder does). */
const blameWhile =
  (troubled: ReadonlySet<string>, graph: Readonly<Record<string, string>>): Attribute =>
  (anomalies, at) =>
    anomalies.map((anomaly) => {
      const culprit = graph[anomaly.service];
      if (culprit === undefined || !troubled.has(culprit)) return anomaly;
      return {
        ...anomaly,
        service: culprit,
        rule: 'dependency' as const,
        impact: {
          service: anomaly.service,
          symptom: anomaly.symptom,
          severity: anomaly.severity,
          peak_value: anomaly.value,
          first_seen_at: at,
          last_seen_at: at,
        },
      };
    });

const GRAPH = { frontend: 'checkout', checkout: 'shipping' } as const;
const hasDependencies = (service: string): boolean => service in GRAPH;

function hold(cycles = 1): CallerHold {
  return new CallerHold(cycles, hasDependencies, (a) => a.symptom === 'high_error_rate');
}

/** One evaluation: the raw anomalies attributed against `troubled`, then through the hold. */
function step(
  callerHold: CallerHold,
  raw: readonly Anomaly[],
  troubled: ReadonlySet<string>,
  at: string,
): Anomaly[] {
  const attribute = blameWhile(troubled, GRAPH);
  return callerHold.pass(raw, attribute(raw, at), at, attribute);
}

describe('CallerHold', () => {
  it("holds a caller's new symptom one evaluation, then blames it on the dependency that showed trouble", () => {
    const callerHold = hold();
    expect(step(callerHold, [own('checkout')], new Set(), 't1')).toEqual([]);
    expect(callerHold.heldServices()).toEqual(['checkout']);
    const released = step(callerHold, [own('shipping')], new Set(['shipping']), 't2');
    expect(released.map((a) => [a.service, a.rule, a.impact?.first_seen_at ?? null])).toEqual([
      ['shipping', 'dependency', 't1'],
      ['shipping', 'absolute', null],
    ]);
    expect(callerHold.heldServices()).toEqual([]);
  });

  it('releases it as its own with the worst reading when no dependency shows trouble; ongoing, it passes at once', () => {
    const callerHold = hold();
    step(callerHold, [own('checkout', 'critical', 0.5)], new Set(), 't1');
    expect(step(callerHold, [own('checkout', 'high', 0.2)], new Set(), 't2')).toEqual([
      own('checkout', 'critical', 0.5),
    ]);
    expect(step(callerHold, [own('checkout', 'high', 0.2)], new Set(), 't3')).toEqual([
      own('checkout', 'high', 0.2),
    ]);
  });

  it('never holds a service without dependencies, an informational anomaly, or a symptom that does not travel', () => {
    const callerHold = hold();
    const locked = { ...own('checkout'), informational: true };
    const memory: Anomaly = { ...own('checkout'), symptom: 'high_memory' };
    const raw = [own('shipping'), locked, memory];
    expect(step(callerHold, raw, new Set(), 't1')).toEqual(raw);
  });

  it('waits as many evaluations after the first as configured', () => {
    const callerHold = hold(3);
    expect(step(callerHold, [own('frontend')], new Set(), 't1')).toEqual([]);
    expect(step(callerHold, [], new Set(), 't2')).toEqual([]);
    expect(step(callerHold, [], new Set(), 't3')).toEqual([]);
    expect(step(callerHold, [], new Set(), 't4')).toEqual([own('frontend')]);
  });

  it('forgets what it held on clear (a new term): an old reading is not released into it', () => {
    const callerHold = hold();
    step(callerHold, [own('checkout')], new Set(), 't1');
    callerHold.clear();
    expect(step(callerHold, [], new Set(), 't2')).toEqual([]);
    expect(callerHold.heldServices()).toEqual([]);
  });

  it('loses nothing and delays nothing beyond its cycles (property)', () => {
    const services = ['frontend', 'checkout', 'shipping'] as const;
    const evaluation = fc.record({
      anomalies: fc
        .subarray([...services])
        .chain((hit) =>
          fc.tuple(
            ...hit.map((service) =>
              fc.constantFrom(...SEVERITIES).map((severity) => own(service, severity)),
            ),
          ),
        ),
      troubled: fc.subarray([...services]),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(evaluation, { maxLength: 12 }),
        (cycles, run) => {
          const callerHold = hold(cycles);
          const heldSince = new Map<string, number>();
          run.forEach(({ anomalies, troubled }, index) => {
            const out = step(callerHold, anomalies, new Set(troubled), `t${index}`);
            // What is reported for a service: its own symptom, or impact on its dependency.
            const reported = new Set(out.map((a) => a.impact?.service ?? a.service));
            for (const [service, since] of heldSince)
              if (reported.has(service)) heldSince.delete(service);
              else expect(index - since).toBeLessThan(cycles);
            for (const anomaly of anomalies)
              if (!reported.has(anomaly.service) && !heldSince.has(anomaly.service))
                heldSince.set(anomaly.service, index);
            // Only callers are ever held, and only while the hold has cycles to wait.
            for (const service of callerHold.heldServices()) {
              expect(hasDependencies(service)).toBe(true);
              expect(cycles).toBeGreaterThan(0);
            }
          });
        },
      ),
    );
  });
});

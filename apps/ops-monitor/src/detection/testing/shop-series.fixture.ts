import { type MetricsSnapshot, type ServiceSample } from '@opscrew/integrations';
import { seededRandom } from '@opscrew/testing';

/** A small call graph: frontend → checkout → shipping (a latency creep shows as callers' errors). */
export const SHOP_DEPENDS_ON: Readonly<Record<string, readonly string[]>> = {
  frontend: ['checkout'],
  checkout: ['shipping'],
  shipping: [],
};
export const dependsOnShop = (service: string): readonly string[] => SHOP_DEPENDS_ON[service] ?? [];

const START_MS = Date.parse('2026-12-07T10:00:00.000Z');
const CYCLE_S = 15;

/**
 * A random run of the shop, one snapshot per cycle: calm noise with random episodes — shipping's
 * p99 creeping up (its callers time out: errors on checkout and frontend), a sudden error or
 * latency jump, a quiet window (too few requests for the relative reference, still measured for
 * the usual level), an unmeasured p99. Every service has some requests in every window, so each
 * cycle's blame reads that cycle's windows only. Cycles in `calm` ([from, to)) are calm noise
 * only: a takeover at `to` inherits no open symptom, no remembered trouble, nothing held.
 */
export function shopSeries(
  seed: number,
  cycles: number,
  calm: { readonly from: number; readonly to: number },
): MetricsSnapshot[] {
  const random = seededRandom(seed);
  const between = (low: number, high: number): number => low + random() * (high - low);
  const out: MetricsSnapshot[] = [];
  let creep = 0;
  let creepLatency = 0;
  for (let cycle = 0; cycle < cycles; cycle++) {
    const at = new Date(START_MS + cycle * CYCLE_S * 1000).toISOString();
    const healthy = (service: string): ServiceSample => ({
      service,
      at,
      window_s: CYCLE_S,
      request_rate_rps: between(15, 25),
      error_rate_ratio: between(0.001, 0.003),
      latency_p99_ms: between(100, 140),
    });
    const samples = ['frontend', 'checkout', 'shipping'].map(healthy);
    const [frontend, checkout, shipping] = samples as [ServiceSample, ServiceSample, ServiceSample];
    const troubled = cycle < calm.from || cycle >= calm.to;
    const mutable = samples as { -readonly [K in keyof ServiceSample]: ServiceSample[K] }[];
    if (!troubled) creep = 0;
    else if (cycle > 0) {
      if (creep === 0 && random() < 0.15) {
        creep = Math.floor(between(4, 10));
        creepLatency = between(150, 250);
      }
      if (creep > 0) {
        creep--;
        // Slow enough that the relative reference (a median of 5) follows it, not the usual level.
        creepLatency *= between(1.15, 1.35);
        mutable[2] = { ...shipping, latency_p99_ms: creepLatency };
        if (creepLatency > 400) {
          mutable[1] = { ...checkout, error_rate_ratio: between(0.03, 0.25) };
          if (random() < 0.5) mutable[0] = { ...frontend, error_rate_ratio: between(0.02, 0.2) };
        }
      } else {
        const which = Math.floor(random() * 3);
        const roll = random();
        const target = mutable[which]!;
        if (roll < 0.12) mutable[which] = { ...target, error_rate_ratio: between(0.01, 0.4) };
        else if (roll < 0.22) mutable[which] = { ...target, latency_p99_ms: between(300, 3000) };
        else if (roll < 0.3) mutable[which] = { ...target, request_rate_rps: between(0.2, 2) };
        else if (roll < 0.35) mutable[which] = { ...target, latency_p99_ms: null };
      }
    }
    out.push({ at, samples: mutable, missing: [] });
  }
  return out;
}

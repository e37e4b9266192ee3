import { evaluateFlag } from './flag.evaluator';
import { type FlagValue, type ParsedFlagFile } from './flagd-file.parser';

/**
 * The OpenTelemetry demo's failure flags the shop acts on, by their 3.0 names,
 * each with the 1.x names it also answers to. The demo's other flags
 * (`kafkaQueueProblems`, `imageSlowLoad`, `emailMemoryLeak`,
 * `intlShippingSlowdown`, `loadGenerator*`, `adManualGc`) concern services or
 * parts the shop does not have and are read as no-ops.
 */
export const SHOP_FLAG_ALIASES = {
  /** ad fails about 1 call in 10. */
  adFailure: ['adServiceFailure'],
  /** ad burns CPU on every call. */
  adHighCpu: ['adServiceHighCpu'],
  /** A share of cart calls fail: a bool in 1.x/2.x, a 0–1 fraction in 3.0. */
  cartFailure: ['cartServiceFailure'],
  /** cart's readiness (`/health`) fails. */
  failedReadinessProbe: [],
  /** A share of payment charges fail (the 3.0 "90%" variant is 0.95; true = all). */
  paymentFailure: ['paymentServiceFailure'],
  /** checkout cannot reach payment. */
  paymentUnreachable: ['paymentServiceUnreachable'],
  /** product-catalog fails for one product id. */
  productCatalogFailure: [],
  /** recommendation's cache grows without bound: memory and latency rise. */
  recommendationCacheFailure: ['recommendationServiceCacheFailure'],
} as const satisfies Record<string, readonly string[]>;

export type ShopFlagName = keyof typeof SHOP_FLAG_ALIASES;

/**
 * The value of a shop flag: the 3.0 name first, then its 1.x aliases (a
 * DISABLED or missing flag counts as absent, as in flagd). Undefined: off.
 */
export function resolveShopFlag(file: ParsedFlagFile, name: ShopFlagName): FlagValue | undefined {
  for (const candidate of [name, ...SHOP_FLAG_ALIASES[name]]) {
    const value = evaluateFlag(file, candidate);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * A flag value as a share of calls to affect, 0–1: booleans are all or
 * nothing, numbers up to 1 are fractions (3.0's `cartFailure: 0.25`), numbers
 * above 1 are percentages (a hand-written `25`), "25%" strings too.
 */
export function flagRatio(value: FlagValue | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    if (!(value > 0)) return 0;
    return value <= 1 ? value : Math.min(value, 100) / 100;
  }
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'on' || text === 'true') return 1;
    const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
    return percent?.[1] !== undefined ? Math.min(Number(percent[1]), 100) / 100 : 0;
  }
  return 0;
}

/** Whether a flag value switches its failure on at all. */
export function flagOn(value: FlagValue | undefined): boolean {
  return flagRatio(value) > 0;
}

/** How a value reads in a log line: `off` (absent, false, 0), `on`, `25% (0.25)`. */
export function describeFlagValue(value: FlagValue | undefined): string {
  const ratio = flagRatio(value);
  if (ratio === 0) return 'off';
  if (ratio === 1) return typeof value === 'number' ? `on (${value})` : 'on';
  return `${Math.round(ratio * 1000) / 10}% (${JSON.stringify(value)})`;
}

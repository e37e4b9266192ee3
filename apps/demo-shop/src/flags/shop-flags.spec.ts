import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateFlag } from './flag.evaluator';
import { type ParsedFlagFile, parseFlagdFile } from './flagd-file.parser';
import {
  describeFlagValue,
  flagOn,
  flagRatio,
  resolveShopFlag,
  SHOP_FLAG_ALIASES,
  type ShopFlagName,
} from './shop-flags';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

/** A fixture with some defaultVariants switched, as demo-controller writes them. */
function withVariants(name: string, variants: Record<string, string>): ParsedFlagFile {
  const file = JSON.parse(fixture(name)) as { flags: Record<string, { defaultVariant: string }> };
  for (const [flag, variant] of Object.entries(variants)) {
    const entry = file.flags[flag];
    if (entry === undefined) throw new Error(`${name} has no ${flag}`);
    entry.defaultVariant = variant;
  }
  return parseFlagdFile(JSON.stringify(file));
}

const SHOP_FLAGS = Object.keys(SHOP_FLAG_ALIASES) as ShopFlagName[];

describe('the OpenTelemetry demo flag files', () => {
  it.each(['otel-demo-3.0.flagd.json', 'otel-demo-2.2.flagd.json', 'otel-demo-1.12.flagd.json'])(
    '%s parses without problems and every shop flag is off as shipped',
    (name) => {
      const file = parseFlagdFile(fixture(name));
      expect(file.problems).toEqual([]);
      expect(file.flags.size).toBeGreaterThanOrEqual(10);
      for (const flag of SHOP_FLAGS) expect(flagOn(resolveShopFlag(file, flag))).toBe(false);
    },
  );

  it('3.0: cartFailure and paymentFailure are fractions (the "90%" variant is 0.95)', () => {
    const file = withVariants('otel-demo-3.0.flagd.json', {
      cartFailure: '25%',
      paymentFailure: '90%',
    });
    expect(resolveShopFlag(file, 'cartFailure')).toBe(0.25);
    expect(flagRatio(resolveShopFlag(file, 'cartFailure'))).toBe(0.25);
    expect(flagRatio(resolveShopFlag(file, 'paymentFailure'))).toBe(0.95);
    expect(flagRatio(resolveShopFlag(file, 'adFailure'))).toBe(0);
  });

  it('2.2: cartFailure is a bool (on = every call), paymentFailure already a fraction', () => {
    const file = withVariants('otel-demo-2.2.flagd.json', {
      cartFailure: 'on',
      paymentFailure: '50%',
    });
    expect(resolveShopFlag(file, 'cartFailure')).toBe(true);
    expect(flagRatio(resolveShopFlag(file, 'cartFailure'))).toBe(1);
    expect(flagRatio(resolveShopFlag(file, 'paymentFailure'))).toBe(0.5);
  });

  it('1.12: the 1.x names answer for the 3.0 ones', () => {
    const file = withVariants('otel-demo-1.12.flagd.json', {
      adServiceFailure: 'on',
      cartServiceFailure: 'on',
      paymentServiceFailure: 'on',
      paymentServiceUnreachable: 'on',
      recommendationServiceCacheFailure: 'on',
      productCatalogFailure: 'on',
    });
    for (const flag of [
      'adFailure',
      'cartFailure',
      'paymentFailure',
      'paymentUnreachable',
      'recommendationCacheFailure',
      'productCatalogFailure',
    ] as const) {
      expect(flagRatio(resolveShopFlag(file, flag))).toBe(1);
    }
    expect(flagOn(resolveShopFlag(file, 'adHighCpu'))).toBe(false);
  });

  it('3.0 productCatalogFailure: targeting is ignored, defaultVariant decides', () => {
    const file = withVariants('otel-demo-3.0.flagd.json', { productCatalogFailure: 'on' });
    expect(file.flags.get('productCatalogFailure')?.hasTargeting).toBe(true);
    expect(resolveShopFlag(file, 'productCatalogFailure')).toBe(true);
  });
});

describe('flag evaluation', () => {
  const file = (flags: Record<string, unknown>): ParsedFlagFile =>
    parseFlagdFile(JSON.stringify({ flags }));
  const on = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' };

  it('a DISABLED flag, a missing one or a null defaultVariant is absent (off)', () => {
    const parsed = file({
      a: { ...on, state: 'DISABLED' },
      b: { ...on, defaultVariant: null },
    });
    expect(evaluateFlag(parsed, 'a')).toBeUndefined();
    expect(evaluateFlag(parsed, 'b')).toBeUndefined();
    expect(evaluateFlag(parsed, 'c')).toBeUndefined();
  });

  it('prefers the 3.0 name, and falls back to an alias when the 3.0 flag is disabled', () => {
    const both = file({
      cartFailure: { state: 'ENABLED', variants: { off: 0, half: 0.5 }, defaultVariant: 'half' },
      cartServiceFailure: on,
    });
    expect(resolveShopFlag(both, 'cartFailure')).toBe(0.5);
    const disabled = file({
      cartFailure: { state: 'DISABLED', variants: { off: 0 }, defaultVariant: 'off' },
      cartServiceFailure: on,
    });
    expect(resolveShopFlag(disabled, 'cartFailure')).toBe(true);
  });

  it('accepts flagd’s array form with keys', () => {
    const parsed = parseFlagdFile(JSON.stringify({ flags: [{ key: 'adFailure', ...on }] }));
    expect(resolveShopFlag(parsed, 'adFailure')).toBe(true);
  });

  it('skips a malformed flag, naming it, and keeps the others', () => {
    const parsed = file({
      good: on,
      badVariant: { ...on, defaultVariant: 'maybe' },
      badState: { ...on, state: 'ON' },
      noVariants: { state: 'ENABLED', variants: {}, defaultVariant: 'on' },
    });
    expect(evaluateFlag(parsed, 'good')).toBe(true);
    expect(parsed.problems).toEqual([
      expect.stringMatching(/^badVariant: defaultVariant "maybe" is not one of its variants/),
      expect.stringMatching(/^badState: state must be/),
      expect.stringMatching(/^noVariants: variants must be a non-empty object/),
    ]);
  });

  it('throws on a file that is not a flag file at all', () => {
    expect(() => parseFlagdFile('{"flags": ')).toThrow(/not JSON/);
    expect(() => parseFlagdFile('[]')).toThrow(/top level is not an object/);
    expect(() => parseFlagdFile('{"flag": {}}')).toThrow(/"flags" must be an object or an array/);
  });
});

describe('flag values as ratios', () => {
  it.each<[unknown, number]>([
    [undefined, 0],
    [false, 0],
    [true, 1],
    [0, 0],
    [0.1, 0.1],
    [1, 1],
    [25, 0.25],
    [100, 1],
    [250, 1],
    [-1, 0],
    ['on', 1],
    ['off', 0],
    ['50%', 0.5],
    [{ any: 'object' }, 0],
  ])('%p → %p', (value, ratio) => {
    expect(flagRatio(value as Parameters<typeof flagRatio>[0])).toBe(ratio);
  });

  it('describes values for the log', () => {
    expect(describeFlagValue(undefined)).toBe('off');
    expect(describeFlagValue(false)).toBe('off');
    expect(describeFlagValue(true)).toBe('on');
    expect(describeFlagValue(1)).toBe('on (1)');
    expect(describeFlagValue(0.25)).toBe('25% (0.25)');
  });
});

import { fitList, toolText } from './tool-output.budget';

describe('fitList', () => {
  const items = Array.from({ length: 50 }, (_, n) => ({ n, text: 'x'.repeat(100) }));
  const wrap = (kept: readonly unknown[], truncated: boolean): unknown => ({
    returned: kept.length,
    ...(truncated ? { truncated: true } : {}),
    items: kept,
  });

  it('keeps everything that fits, unmarked', () => {
    expect(fitList(items, wrap, 1_000_000)).toEqual({ returned: 50, items });
  });

  it('drops whole items from the end until the text fits, and says so', () => {
    const fitted = fitList(items, wrap, 2_000) as { returned: number; truncated: boolean };
    expect(fitted.truncated).toBe(true);
    expect(fitted.returned).toBeGreaterThan(0);
    expect(fitted.returned).toBeLessThan(50);
    expect(toolText(fitted).length).toBeLessThanOrEqual(2_000);
    expect((fitted as unknown as { items: unknown[] }).items).toEqual(
      items.slice(0, fitted.returned),
    );
  });
});

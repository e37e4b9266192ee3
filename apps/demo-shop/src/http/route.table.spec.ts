import { normaliseMethod, RouteTable, UNMATCHED_ROUTE } from './route.table';

describe('RouteTable (route patterns for the metrics)', () => {
  const table = new RouteTable<string>()
    .add('GET', '/', 'home')
    .add('GET', '/product/:id', 'product')
    .add('GET', '/cart', 'view')
    .add('POST', '/cart', 'add')
    .add('GET', '/cart/:userId', 'cart')
    .add('POST', '/cart/:userId/items', 'items');

  it.each([
    ['GET', '/', '/', {}],
    ['GET', '/product/OLJCESPC7Z', '/product/:id', { id: 'OLJCESPC7Z' }],
    ['GET', '/product/OLJCESPC7Z/', '/product/:id', { id: 'OLJCESPC7Z' }],
    ['GET', '//product//66VCHSJNUP', '/product/:id', { id: '66VCHSJNUP' }],
    ['GET', '/product/a%20b?x=1', '/product/:id', { id: 'a b' }],
    ['GET', '/cart?currency=EUR', '/cart', {}],
    ['POST', '/cart', '/cart', {}],
    ['GET', '/cart/u-1', '/cart/:userId', { userId: 'u-1' }],
    ['POST', '/cart/u-1/items', '/cart/:userId/items', { userId: 'u-1' }],
    ['HEAD', '/product/X', '/product/:id', { id: 'X' }],
  ])('%s %s → %s', (method, path, route, params) => {
    expect(table.lookup(method, path)).toMatchObject({ kind: 'found', route, params });
  });

  it('names the pattern, not the path, when the method is wrong', () => {
    expect(table.lookup('DELETE', '/product/OLJCESPC7Z')).toEqual({
      kind: 'method_not_allowed',
      route: '/product/:id',
      allow: ['GET'],
    });
    expect(table.lookup('DELETE', '/cart')).toEqual({
      kind: 'method_not_allowed',
      route: '/cart',
      allow: ['GET', 'POST'],
    });
  });

  it('puts every unknown path under one route label', () => {
    for (const path of ['/favicon.ico', '/product', '/product/a/b', '/wp-admin/%E0%A4%A']) {
      expect(table.lookup('GET', path)).toEqual({ kind: 'not_found', route: UNMATCHED_ROUTE });
    }
  });

  it('keeps the method label bounded', () => {
    expect(normaliseMethod('get')).toBe('GET');
    expect(normaliseMethod('PROPFIND')).toBe('OTHER');
    expect(normaliseMethod(undefined)).toBe('GET');
  });

  it('refuses a pattern without a leading slash', () => {
    expect(() => new RouteTable().add('GET', 'cart', 'x')).toThrow(/must start with \//);
  });
});

import { findProduct, PRODUCTS } from '../catalog/products.data';
import { DependencyError } from '../http/dependency.client';
import { FakeDependency, fakeRuntime, invoke } from '../testing/service-harness';
import { createFrontendService } from './frontend.service';

function frontend(overrides: Partial<Record<string, FakeDependency>> = {}) {
  const deps = {
    'product-catalog': new FakeDependency('product-catalog', (call) => {
      if (call.path === '/products') return { products: PRODUCTS };
      const product = findProduct(call.path.split('/').pop() ?? '');
      if (product === undefined) {
        throw new DependencyError('product-catalog', 'status', 'Product Not Found', 404);
      }
      return product;
    }),
    currency: new FakeDependency('currency', (call) =>
      call.path === '/currencies' ? { currency_codes: ['USD', 'EUR'] } : { amount: 0.5 },
    ),
    ad: new FakeDependency('ad', () => ({ ads: [{ text: 'an ad' }] })),
    recommendation: new FakeDependency('recommendation', () => ({ product_ids: ['A', 'B'] })),
    cart: new FakeDependency('cart', (call) =>
      call.method === 'GET'
        ? { items: [{ product_id: 'HQTGWGPNH4', quantity: 3 }] }
        : { items: [{ product_id: 'HQTGWGPNH4', quantity: 1 }] },
    ),
    checkout: new FakeDependency('checkout', () => ({ order_id: 'o-1' })),
    ...overrides,
  };
  const runtime = fakeRuntime('frontend', { dependencies: deps });
  return { deps, runtime, service: createFrontendService(runtime) };
}

const failing = (name: string, kind: 'status' | 'timeout' = 'status') =>
  new FakeDependency(name, () => {
    throw new DependencyError(name, kind, `${name} broke`, kind === 'status' ? 500 : undefined);
  });

describe('frontend', () => {
  it('home: catalogue in the visitor’s currency, ads and recommendations; a session cookie', async () => {
    const { service } = frontend();
    const page = await invoke(service, 'GET', '/?currency=EUR');
    expect(page.status).toBe(200);
    expect(page.headers?.['set-cookie']).toMatch(/^shop_session=[0-9a-f-]{36}; Path=\/; HttpOnly/);
    expect(page.body).toMatchObject({
      currency: 'EUR',
      ads: [{ text: 'an ad' }],
      recommendations: ['A', 'B'],
    });
    const first = (page.body as { products: { id: string; price: number }[] }).products[0];
    expect(first).toEqual({ id: 'OLJCESPC7Z', name: expect.any(String), price: 50.98 });
  });

  it('a failing optional widget (ads, recommendations) is left out, not an error', async () => {
    const { runtime, service } = frontend({
      ad: failing('ad'),
      recommendation: failing('recommendation', 'timeout'),
    });
    const page = await invoke(service, 'GET', '/product/OLJCESPC7Z');
    expect(page).toMatchObject({ status: 200, body: { ads: [], recommendations: [] } });
    expect(runtime.lines.join('\n')).toMatch(
      /WARN frontend: ads unavailable, page served without it: ad broke/,
    );
  });

  it('a failing required dependency fails the page (the caller maps it to 502/504)', async () => {
    const { service } = frontend({ 'product-catalog': failing('product-catalog') });
    await expect(invoke(service, 'GET', '/')).rejects.toMatchObject({
      name: 'DependencyError',
      dependency: 'product-catalog',
    });
    await expect(invoke(service, 'GET', '/product/X')).rejects.toMatchObject({
      dependency: 'product-catalog',
    });
  });

  it('an unknown product is a 404, not a failure', async () => {
    const { service } = frontend();
    expect((await invoke(service, 'GET', '/product/NOPE')).status).toBe(404);
  });

  it('cart and checkout use the session cookie as the user id', async () => {
    const { deps, service } = frontend();
    const cookie = 'shop_session=0b1c2d3e-aaaa-bbbb-cccc-0123456789ab';
    const added = await invoke(service, 'POST', '/cart', {
      cookie,
      body: { product_id: 'HQTGWGPNH4', quantity: 1 },
    });
    expect(added.headers).toBeUndefined();
    const view = await invoke(service, 'GET', '/cart', { cookie });
    expect(view.body).toEqual({
      items: [{ product_id: 'HQTGWGPNH4', name: 'The Comet Book', quantity: 3, price_usd: 0.99 }],
      total_usd: 2.97,
    });
    expect(await invoke(service, 'POST', '/checkout', { cookie, body: {} })).toMatchObject({
      body: { order_id: 'o-1' },
    });
    expect(deps.cart.calls[0]?.path).toBe('/cart/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab/items');
    expect(deps.checkout.calls[0]?.body).toMatchObject({
      user_id: '0b1c2d3e-aaaa-bbbb-cccc-0123456789ab',
      currency: 'USD',
      card_number: '4432-8015-6152-0454',
    });
    expect((await invoke(service, 'POST', '/cart', { cookie, body: {} })).status).toBe(400);
  });

  it('passes a dependency’s 4xx through (an empty cart at checkout is the visitor’s mistake)', async () => {
    const { service } = frontend({
      checkout: new FakeDependency('checkout', () => {
        throw new DependencyError(
          'checkout',
          'status',
          'checkout answered 400: cart is empty',
          400,
        );
      }),
    });
    expect(await invoke(service, 'POST', '/checkout', { body: {} })).toEqual({
      status: 400,
      body: { error: 'checkout answered 400: cart is empty' },
    });
  });
});

import { PRODUCT_IDS } from '../catalog/products.data';
import { DependencyError } from '../http/dependency.client';
import { FakeDependency, fakeRuntime, invoke } from '../testing/service-harness';
import { AD_FAILURE_RATIO, createAdService } from './ad.service';
import { CART_FAILURE_MESSAGE, createCartService, MAX_CARTS } from './cart.service';
import { createCurrencyService } from './currency.service';
import { createPaymentService, luhnValid, PAYMENT_FAILURE_MESSAGE } from './payment.service';
import { createProductCatalogService, FAILING_PRODUCT_ID } from './product-catalog.service';
import { createRecommendationService } from './recommendation.service';
import { createShippingService } from './shipping.service';

const CARD = '4432-8015-6152-0454';

describe('product-catalog', () => {
  it('lists the ten demo products and serves each by id', async () => {
    const service = createProductCatalogService(fakeRuntime('product-catalog'));
    const list = await invoke(service, 'GET', '/products');
    expect((list.body as { products: unknown[] }).products).toHaveLength(10);
    expect(await invoke(service, 'GET', '/products/66VCHSJNUP')).toMatchObject({
      status: 200,
      body: { id: '66VCHSJNUP', price_usd: 349.95 },
    });
    expect((await invoke(service, 'GET', '/products/NOPE')).status).toBe(404);
  });

  it('productCatalogFailure fails only its product', async () => {
    const runtime = fakeRuntime('product-catalog');
    runtime.setFlag('productCatalogFailure', true);
    const service = createProductCatalogService(runtime);
    expect(await invoke(service, 'GET', `/products/${FAILING_PRODUCT_ID}`)).toEqual({
      status: 500,
      body: { error: expect.stringContaining('Product Catalog Fail Feature Flag Enabled') },
    });
    for (const id of PRODUCT_IDS.filter((p) => p !== FAILING_PRODUCT_ID)) {
      expect((await invoke(service, 'GET', `/products/${id}`)).status).toBe(200);
    }
  });
});

describe('cart', () => {
  it('adds, shows and empties a cart per user', async () => {
    const service = createCartService(fakeRuntime('cart'));
    await invoke(service, 'POST', '/cart/u1/items', { body: { product_id: 'A', quantity: 2 } });
    await invoke(service, 'POST', '/cart/u1/items', { body: { product_id: 'A', quantity: 1 } });
    await invoke(service, 'POST', '/cart/u2/items', { body: { product_id: 'B' } });
    expect((await invoke(service, 'GET', '/cart/u1')).body).toEqual({
      user_id: 'u1',
      items: [{ product_id: 'A', quantity: 3 }],
    });
    await invoke(service, 'DELETE', '/cart/u1');
    expect((await invoke(service, 'GET', '/cart/u1')).body).toEqual({ user_id: 'u1', items: [] });
    expect(
      (await invoke(service, 'POST', '/cart/u1/items', { body: { product_id: 'A', quantity: 0 } }))
        .status,
    ).toBe(400);
  });

  it('keeps at most MAX_CARTS carts (the least recently used goes)', async () => {
    const service = createCartService(fakeRuntime('cart'));
    for (let i = 0; i <= MAX_CARTS; i++) {
      await invoke(service, 'POST', `/cart/u${i}/items`, { body: { product_id: 'A' } });
    }
    expect((await invoke(service, 'GET', '/cart/u0')).body).toMatchObject({ items: [] });
    expect((await invoke(service, 'GET', `/cart/u${MAX_CARTS}`)).body).toMatchObject({
      items: [{ product_id: 'A', quantity: 1 }],
    });
  });

  it('cartFailure fails that share of calls (bool = all), with the demo’s message', async () => {
    let next = 0;
    const draws = [0.1, 0.3, 0.2, 0.9];
    const runtime = fakeRuntime('cart', { random: () => draws[next++ % draws.length] ?? 0 });
    const service = createCartService(runtime);
    runtime.setFlag('cartFailure', 0.25);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await invoke(service, 'GET', '/cart/u')).status);
    expect(statuses).toEqual([500, 200, 500, 200]);
    runtime.setFlag('cartFailure', true);
    expect(await invoke(service, 'GET', '/cart/u')).toEqual({
      status: 500,
      body: { error: CART_FAILURE_MESSAGE },
    });
    runtime.setFlag('cartFailure', false);
    expect((await invoke(service, 'GET', '/cart/u')).status).toBe(200);
  });

  it('failedReadinessProbe fails its health, not its calls', async () => {
    const runtime = fakeRuntime('cart');
    const service = createCartService(runtime);
    expect(service.unhealthyReason?.()).toBeNull();
    runtime.setFlag('failedReadinessProbe', true);
    expect(service.unhealthyReason?.()).toMatch(/readiness probe failed/);
    expect((await invoke(service, 'GET', '/cart/u')).status).toBe(200);
  });
});

describe('payment', () => {
  it('charges a valid card and refuses an invalid one', async () => {
    const service = createPaymentService(fakeRuntime('payment'));
    expect(
      await invoke(service, 'POST', '/charge', { body: { amount_usd: 10, card_number: CARD } }),
    ).toMatchObject({ status: 200, body: { card_last4: '0454', amount_usd: 10 } });
    expect(
      (await invoke(service, 'POST', '/charge', { body: { amount_usd: 10, card_number: '1234' } }))
        .status,
    ).toBe(400);
    expect(luhnValid('4432801561520454')).toBe(true);
    expect(luhnValid('4432801561520455')).toBe(false);
  });

  it('paymentFailure fails that share of charges (3.0 "90%" = 0.95)', async () => {
    const runtime = fakeRuntime('payment', { random: () => 0.94 });
    runtime.setFlag('paymentFailure', 0.95);
    const service = createPaymentService(runtime);
    expect(
      await invoke(service, 'POST', '/charge', { body: { amount_usd: 10, card_number: CARD } }),
    ).toEqual({ status: 500, body: { error: PAYMENT_FAILURE_MESSAGE } });
    runtime.setFlag('paymentFailure', 0.5);
    expect(
      (await invoke(service, 'POST', '/charge', { body: { amount_usd: 10, card_number: CARD } }))
        .status,
    ).toBe(200);
  });
});

describe('ad', () => {
  it('serves ads for the context, and fails about 1 call in 10 with adFailure', async () => {
    let draw = 0;
    const runtime = fakeRuntime('ad', { random: () => draw });
    const service = createAdService(runtime);
    const answer = await invoke(service, 'GET', '/ads?context_keys=binoculars');
    expect(answer.body).toEqual({ ads: [expect.objectContaining({ category: 'binoculars' })] });
    runtime.setFlag('adFailure', true);
    draw = AD_FAILURE_RATIO - 0.01;
    expect(await invoke(service, 'GET', '/ads')).toEqual({
      status: 503,
      body: { error: 'GetAds Failed with status UNAVAILABLE' },
    });
    draw = AD_FAILURE_RATIO + 0.01;
    expect((await invoke(service, 'GET', '/ads')).status).toBe(200);
  });

  it('adHighCpu burns CPU on every call', async () => {
    const runtime = fakeRuntime('ad');
    runtime.setFlag('adHighCpu', true);
    const service = createAdService(runtime);
    const before = process.cpuUsage();
    for (let i = 0; i < 5; i++) await invoke(service, 'GET', '/ads');
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeGreaterThan(60);
  });
});

describe('currency and shipping', () => {
  it('converts through the euro table and quotes shipping', async () => {
    const currency = createCurrencyService();
    expect((await invoke(currency, 'GET', '/convert?from=EUR&to=USD&amount=100')).body).toEqual({
      currency_code: 'USD',
      amount: 113.05,
    });
    expect((await invoke(currency, 'GET', '/convert?from=USD&to=XXX&amount=1')).status).toBe(400);
    const shipping = createShippingService();
    expect((await invoke(shipping, 'GET', '/quote?items=2')).body).toEqual({ cost_usd: 11.99 });
    expect(
      (await invoke(shipping, 'POST', '/ship', { body: { address: { city: 'x' } } })).body,
    ).toEqual({ tracking_id: expect.any(String) });
  });
});

describe('recommendation', () => {
  const catalog = (): FakeDependency =>
    new FakeDependency('product-catalog', () => ({
      products: PRODUCT_IDS.map((id) => ({ id })),
    }));

  it('recommends up to five other products, asking the catalogue each time', async () => {
    const products = catalog();
    const service = createRecommendationService(
      fakeRuntime('recommendation', { dependencies: { 'product-catalog': products } }),
    );
    const answer = await invoke(service, 'GET', '/recommendations?product_ids=OLJCESPC7Z');
    const ids = (answer.body as { product_ids: string[] }).product_ids;
    expect(ids).toHaveLength(5);
    expect(ids).not.toContain('OLJCESPC7Z');
    await invoke(service, 'GET', '/recommendations');
    expect(products.calls).toHaveLength(2);
  });

  it('recommendationCacheFailure: the cache grows on misses and the catalogue is asked less', async () => {
    const products = catalog();
    let draw = 0.9;
    const runtime = fakeRuntime('recommendation', {
      dependencies: { 'product-catalog': products },
      random: () => draw,
    });
    runtime.setFlag('recommendationCacheFailure', true);
    const service = createRecommendationService(runtime);
    await invoke(service, 'GET', '/recommendations'); // first call always misses
    await invoke(service, 'GET', '/recommendations'); // 0.9: a hit
    draw = 0.1;
    await invoke(service, 'GET', '/recommendations'); // a miss: the catalogue again
    expect(products.calls).toHaveLength(2);
    expect(runtime.lines.some((l) => l.includes('get_product_list: cache miss'))).toBe(true);
  });

  it('fails when the catalogue does', async () => {
    const failing = new FakeDependency('product-catalog', () => {
      throw new DependencyError('product-catalog', 'status', 'catalog down', 500);
    });
    const service = createRecommendationService(
      fakeRuntime('recommendation', { dependencies: { 'product-catalog': failing } }),
    );
    await expect(invoke(service, 'GET', '/recommendations')).rejects.toThrow('catalog down');
  });
});

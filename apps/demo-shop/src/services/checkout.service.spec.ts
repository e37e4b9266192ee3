import { errorMessage } from '@opscrew/contracts';
import { findProduct } from '../catalog/products.data';
import { DependencyError } from '../http/dependency.client';
import {
  type DependencyCall,
  FakeDependency,
  fakeRuntime,
  invoke,
} from '../testing/service-harness';
import { createCheckoutService, UNREACHABLE_PAYMENT_URL } from './checkout.service';

const CARD = '4432-8015-6152-0454';

function shop(payment: (call: DependencyCall) => unknown = () => ({ transaction_id: 'tx-1' })) {
  const deps = {
    cart: new FakeDependency('cart', (call) =>
      call.method === 'GET'
        ? { items: [{ product_id: 'L9ECAV7KIM', quantity: 2 }] }
        : { items: [] },
    ),
    'product-catalog': new FakeDependency('product-catalog', (call) =>
      findProduct(call.path.split('/').pop() ?? ''),
    ),
    currency: new FakeDependency('currency', () => ({ currency_code: 'EUR', amount: 48.5 })),
    payment: new FakeDependency('payment', payment),
    shipping: new FakeDependency('shipping', (call) =>
      call.path.startsWith('/quote') ? { cost_usd: 11.99 } : { tracking_id: 'track-1' },
    ),
  };
  const runtime = fakeRuntime('checkout', { dependencies: deps });
  return { deps, runtime, service: createCheckoutService(runtime) };
}

const order = { user_id: 'u1', currency: 'EUR', card_number: CARD, address: { city: 'x' } };

describe('checkout', () => {
  it('places an order: cart, prices, quote, currency, payment, shipping, empty cart', async () => {
    const { deps, service } = shop();
    const answer = await invoke(service, 'POST', '/checkout', { body: order });
    expect(answer).toMatchObject({
      status: 200,
      body: {
        transaction_id: 'tx-1',
        shipping_tracking_id: 'track-1',
        total: { currency_code: 'EUR', amount: 48.5 },
      },
    });
    // 2 × 21.95 + 11.99 shipping
    expect(deps.payment.calls).toEqual([
      { method: 'POST', path: '/charge', body: { amount_usd: 55.89, card_number: CARD } },
    ]);
    expect(deps.cart.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /cart/u1',
      'DELETE /cart/u1',
    ]);
  });

  it('a payment failure fails the order, naming the step and payment’s own error', async () => {
    const { deps, service } = shop(() => {
      throw new DependencyError('payment', 'status', 'payment answered 500: Invalid token', 500);
    });
    await expect(invoke(service, 'POST', '/checkout', { body: order })).rejects.toMatchObject({
      name: 'DependencyError',
      dependency: 'payment',
      message: 'failed to charge card: payment answered 500: Invalid token',
    });
    // The cart is kept: nothing was bought.
    expect(deps.cart.calls.map((c) => c.method)).toEqual(['GET']);
  });

  it('paymentUnreachable sends the charge to an address nobody answers', async () => {
    const { deps, runtime, service } = shop();
    runtime.setFlag('paymentUnreachable', true);
    const error = await invoke(service, 'POST', '/checkout', { body: order }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'DependencyError', kind: 'unreachable' });
    expect(errorMessage(error)).toMatch(
      /^failed to charge card: upstream connect error: payment unreachable .*ECONNREFUSED/,
    );
    expect(deps.payment.calls).toEqual([]);
    expect(UNREACHABLE_PAYMENT_URL).toBe('http://127.0.0.1:1');
  });

  it('an empty cart or a missing user is the caller’s mistake (400)', async () => {
    const { service } = shop();
    expect((await invoke(service, 'POST', '/checkout', { body: {} })).status).toBe(400);
  });
});

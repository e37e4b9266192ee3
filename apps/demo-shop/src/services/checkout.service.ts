import { randomUUID } from 'node:crypto';
import { type Product } from '../catalog/products.data';
import { flagOn } from '../flags/shop-flags';
import { DependencyClient, DependencyError } from '../http/dependency.client';
import { HttpError, ok } from '../http/http-reply';
import { type ServiceRuntime, type ShopService } from './service.definition';
import { type CartLine } from './cart.service';

/**
 * Per-hop timeouts: each dependency answers in ~5–40 ms; 1.5 s means it is
 * broken. Payment gets 2 s: a card processor is the slowest hop. The sum of
 * the sequential steps stays under the frontend's 6 s for a whole checkout.
 */
const HOP_TIMEOUT_MS = 1_500;
const PAYMENT_TIMEOUT_MS = 2_000;
/**
 * Where checkout sends charges while `paymentUnreachable` is on: the demo
 * points it at "badAddress:50051"; here a loopback port nothing listens on,
 * refused at once (ECONNREFUSED).
 */
export const UNREACHABLE_PAYMENT_URL = 'http://127.0.0.1:1';

interface CheckoutInput {
  readonly userId: string;
  readonly currency: string;
  readonly email: string;
  readonly address: Record<string, unknown>;
  readonly cardNumber: string;
}

/**
 * checkout: places an order — cart → catalogue prices → shipping quote →
 * currency → payment → shipping → empty cart. Any failing step fails the
 * order (502/504) with the step and the dependency's own error in the text,
 * so a payment failure shows up here as well.
 */
export function createCheckoutService(runtime: ServiceRuntime): ShopService {
  const cart = runtime.dependency('cart');
  const catalog = runtime.dependency('product-catalog');
  const currency = runtime.dependency('currency');
  const payment = runtime.dependency('payment');
  const unreachablePayment = new DependencyClient('payment', UNREACHABLE_PAYMENT_URL);
  const shipping = runtime.dependency('shipping');

  const placeOrder = async (input: CheckoutInput): Promise<Record<string, unknown>> => {
    const userCart = await step('failed to get user cart', () =>
      cart.get<{ items: CartLine[] }>(`/cart/${encodeURIComponent(input.userId)}`, {
        timeoutMs: HOP_TIMEOUT_MS,
      }),
    );
    if (userCart.items.length === 0) throw new HttpError(400, 'cart is empty');
    const items = userCart.items;
    const products = await step('failed to prepare order', () =>
      Promise.all(
        items.map((line) =>
          catalog.get<Product>(`/products/${encodeURIComponent(line.product_id)}`, {
            timeoutMs: HOP_TIMEOUT_MS,
          }),
        ),
      ),
    );
    const quote = await step('shipping quote failure', () =>
      shipping.get<{ cost_usd: number }>(`/quote?items=${items.length}`, {
        timeoutMs: HOP_TIMEOUT_MS,
      }),
    );
    const subtotal = products.reduce(
      (sum, product, i) => sum + product.price_usd * (items[i]?.quantity ?? 0),
      0,
    );
    const totalUsd = Math.round((subtotal + quote.cost_usd) * 100) / 100;
    const total = await step('failed to convert currency', () =>
      currency.get<{ currency_code: string; amount: number }>(
        `/convert?from=USD&to=${encodeURIComponent(input.currency)}&amount=${totalUsd}`,
        { timeoutMs: HOP_TIMEOUT_MS },
      ),
    );
    const payer = flagOn(runtime.flags.value('paymentUnreachable')) ? unreachablePayment : payment;
    const charge = await step('failed to charge card', () =>
      payer.post<{ transaction_id: string }>('/charge', {
        body: { amount_usd: totalUsd, card_number: input.cardNumber },
        timeoutMs: PAYMENT_TIMEOUT_MS,
      }),
    );
    const shipment = await step('shipping error', () =>
      shipping.post<{ tracking_id: string }>('/ship', {
        body: { address: input.address, items: items.length },
        timeoutMs: HOP_TIMEOUT_MS,
      }),
    );
    await step('failed to empty user cart', () =>
      cart.delete(`/cart/${encodeURIComponent(input.userId)}`, { timeoutMs: HOP_TIMEOUT_MS }),
    );
    runtime.log.throttled(
      'info',
      'order placed',
      `order placed for ${input.email}: ${items.length} products, ${total.amount} ${total.currency_code}`,
    );
    return {
      order_id: randomUUID(),
      transaction_id: charge.transaction_id,
      shipping_tracking_id: shipment.tracking_id,
      shipping_cost_usd: quote.cost_usd,
      total: { currency_code: total.currency_code, amount: total.amount },
      items,
    };
  };

  return {
    routes: [
      {
        method: 'POST',
        pattern: '/checkout',
        handle: async ({ body }) => ok(await placeOrder(parseInput(await body()))),
      },
    ],
  };
}

/** Runs one step; a dependency's failure is re-thrown with the step's words in front. */
async function step<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DependencyError) {
      throw new DependencyError(
        error.dependency,
        error.kind,
        `${what}: ${error.message}`,
        error.status,
      );
    }
    throw error;
  }
}

function parseInput(body: Record<string, unknown>): CheckoutInput {
  const userId = body['user_id'];
  if (typeof userId !== 'string' || userId === '') throw new HttpError(400, 'user_id is required');
  const address = body['address'];
  return {
    userId,
    currency: typeof body['currency'] === 'string' ? body['currency'].toUpperCase() : 'USD',
    email: typeof body['email'] === 'string' ? body['email'] : 'someone@example.com',
    address:
      typeof address === 'object' && address !== null && !Array.isArray(address)
        ? (address as Record<string, unknown>)
        : {},
    cardNumber: typeof body['card_number'] === 'string' ? body['card_number'] : '',
  };
}

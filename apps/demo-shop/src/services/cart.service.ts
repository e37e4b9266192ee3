import { flagOn, flagRatio } from '../flags/shop-flags';
import { HttpError, ok } from '../http/http-reply';
import { type ServiceRuntime, type ShopService } from './service.definition';

/**
 * Carts kept: the oldest is dropped beyond this. Locust users get a fresh
 * session each; 5,000 carts of ≤ 50 lines is a few MiB — the stress scenario
 * must not look like a memory leak.
 */
export const MAX_CARTS = 5_000;
/** Lines per cart; further products are refused (400): no shopper buys 50 different telescopes. */
export const MAX_CART_LINES = 50;
/** Units per line. */
const MAX_QUANTITY = 99;

/** The demo's cart error (a .NET service over valkey) when cartFailure fires. */
export const CART_FAILURE_MESSAGE =
  "Can't access cart storage. System.ApplicationException: Wasn't able to connect to redis";

export interface CartLine {
  readonly product_id: string;
  readonly quantity: number;
}

/**
 * cart: one cart per user id, in memory (a restart empties them, as a
 * restart of the demo's valkey would). `cartFailure` fails that share of
 * calls (all of them for a 1.x/2.x `true`); `failedReadinessProbe` fails its
 * `/health` while every call still works.
 */
export function createCartService(runtime: ServiceRuntime): ShopService {
  const carts = new Map<string, Map<string, number>>();

  const storage = (): void => {
    const ratio = flagRatio(runtime.flags.value('cartFailure'));
    if (ratio > 0 && runtime.random() < ratio) throw new HttpError(500, CART_FAILURE_MESSAGE);
  };
  const view = (userId: string): { user_id: string; items: CartLine[] } => ({
    user_id: userId,
    items: [...(carts.get(userId) ?? new Map<string, number>())].map(([product_id, quantity]) => ({
      product_id,
      quantity,
    })),
  });

  return {
    routes: [
      {
        method: 'GET',
        pattern: '/cart/:userId',
        handle: ({ params }) => {
          storage();
          return Promise.resolve(ok(view(params['userId'] ?? '')));
        },
      },
      {
        method: 'POST',
        pattern: '/cart/:userId/items',
        handle: async ({ params, body }) => {
          const input = await body();
          storage();
          const userId = params['userId'] ?? '';
          const productId = input['product_id'];
          const quantity = Number(input['quantity'] ?? 1);
          if (typeof productId !== 'string' || productId === '') {
            throw new HttpError(400, 'product_id is required');
          }
          if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
            throw new HttpError(400, `quantity must be an integer from 1 to ${MAX_QUANTITY}`);
          }
          const cart = carts.get(userId) ?? new Map<string, number>();
          if (!cart.has(productId) && cart.size >= MAX_CART_LINES) {
            throw new HttpError(400, `a cart holds at most ${MAX_CART_LINES} products`);
          }
          cart.set(productId, Math.min(MAX_QUANTITY, (cart.get(productId) ?? 0) + quantity));
          // Re-insert: Map order is then least recently used first, which is what we evict.
          carts.delete(userId);
          carts.set(userId, cart);
          if (carts.size > MAX_CARTS) {
            const oldest = carts.keys().next().value;
            if (oldest !== undefined) carts.delete(oldest);
          }
          return ok(view(userId));
        },
      },
      {
        method: 'DELETE',
        pattern: '/cart/:userId',
        handle: ({ params }) => {
          storage();
          const userId = params['userId'] ?? '';
          carts.delete(userId);
          return Promise.resolve(ok(view(userId)));
        },
      },
    ],
    unhealthyReason: () =>
      flagOn(runtime.flags.value('failedReadinessProbe'))
        ? 'readiness probe failed: cart storage not ready'
        : null,
  };
}

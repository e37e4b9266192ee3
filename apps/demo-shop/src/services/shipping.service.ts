import { randomUUID } from 'node:crypto';
import { HttpError, ok } from '../http/http-reply';
import { type ShopService } from './service.definition';

/** The demo's quote service charges a base plus a little per item. */
const BASE_COST_USD = 8.99;
const PER_ITEM_COST_USD = 1.5;

/** shipping: quotes and tracking ids. No flag touches it (intlShippingSlowdown is a no-op here). */
export function createShippingService(): ShopService {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/quote',
        handle: ({ query }) => {
          const items = Number(query.get('items') ?? '1');
          if (!Number.isInteger(items) || items < 0) {
            return Promise.reject(new HttpError(400, 'items must be a non-negative integer'));
          }
          const cost = Math.round((BASE_COST_USD + PER_ITEM_COST_USD * items) * 100) / 100;
          return Promise.resolve(ok({ cost_usd: cost }));
        },
      },
      {
        method: 'POST',
        pattern: '/ship',
        handle: async ({ body }) => {
          const input = await body();
          if (typeof input['address'] !== 'object' || input['address'] === null) {
            throw new HttpError(400, 'address is required');
          }
          return ok({ tracking_id: randomUUID() });
        },
      },
    ],
  };
}

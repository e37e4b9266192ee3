import { randomUUID } from 'node:crypto';
import { flagRatio } from '../flags/shop-flags';
import { HttpError, ok } from '../http/http-reply';
import { type ServiceRuntime, type ShopService } from './service.definition';

/** The demo's payment error (a Node service) when paymentFailure fires. */
export const PAYMENT_FAILURE_MESSAGE =
  'Payment request failed. Invalid token. app.loyalty.level=gold';

/**
 * payment: charges a card. `paymentFailure` fails that share of charges
 * (3.0: 0.1 … 1, the "90%" variant being 0.95; 1.x `true` = every charge).
 */
export function createPaymentService(runtime: ServiceRuntime): ShopService {
  return {
    routes: [
      {
        method: 'POST',
        pattern: '/charge',
        handle: async ({ body }) => {
          const input = await body();
          const ratio = flagRatio(runtime.flags.value('paymentFailure'));
          if (ratio > 0 && runtime.random() < ratio) {
            throw new HttpError(500, PAYMENT_FAILURE_MESSAGE);
          }
          const amount = Number(input['amount_usd']);
          if (!Number.isFinite(amount) || amount < 0) {
            throw new HttpError(400, 'amount_usd must be a non-negative number');
          }
          const raw = input['card_number'];
          const card = (typeof raw === 'string' ? raw : '').replace(/[\s-]/g, '');
          if (!luhnValid(card)) throw new HttpError(400, 'Credit card info is invalid');
          return ok({
            transaction_id: randomUUID(),
            amount_usd: amount,
            card_last4: card.slice(-4),
          });
        },
      },
    ],
  };
}

/** The card number checksum every processor applies first. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

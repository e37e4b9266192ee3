import { convert, CURRENCY_CODES } from '../catalog/currencies.data';
import { HttpError, ok } from '../http/http-reply';
import { type ShopService } from './service.definition';

/** currency: the supported currencies and conversions between them. No flag touches it. */
export function createCurrencyService(): ShopService {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/currencies',
        handle: () => Promise.resolve(ok({ currency_codes: CURRENCY_CODES })),
      },
      {
        method: 'GET',
        pattern: '/convert',
        handle: ({ query }) => {
          const from = (query.get('from') ?? 'USD').toUpperCase();
          const to = (query.get('to') ?? 'USD').toUpperCase();
          const amount = Number(query.get('amount') ?? '');
          if (!Number.isFinite(amount) || amount < 0) {
            return Promise.reject(new HttpError(400, 'amount must be a non-negative number'));
          }
          const converted = convert(amount, from, to);
          if (converted === null) {
            return Promise.reject(
              new HttpError(400, `unsupported currency conversion ${from} -> ${to}`),
            );
          }
          return Promise.resolve(ok({ currency_code: to, amount: converted }));
        },
      },
    ],
  };
}

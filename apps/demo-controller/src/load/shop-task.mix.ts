import { type LoadMix, type LoadRequest, type LoadTask } from '@opscrew/integrations';

/**
 * What one virtual user does against the demo shop: the same tasks, weights
 * and think time as deploy/locust/locustfile.py (itself modelled on the
 * OpenTelemetry demo's load generator), so the built-in driver and Locust put
 * the same shape of load on the shop. It lives with demo-controller, the agent
 * that puts load on the shop: the load driver in libs/integrations runs any mix
 * and knows no shop product id.
 */

/** The ten products the shop's catalogue serves (the OpenTelemetry demo's ids), as in the locustfile. */
export const SHOP_PRODUCT_IDS: readonly string[] = [
  'OLJCESPC7Z',
  '66VCHSJNUP',
  '1YMWWN1N4O',
  'L9ECAV7KIM',
  '2ZYFJ3GM2N',
  '0PUK6V6EV0',
  'LS4PSXUNUM',
  '9SIQT8TOJO',
  '6E92ZMYYFZ',
  'HQTGWGPNH4',
];

const CURRENCIES: readonly string[] = ['USD', 'EUR', 'CAD', 'JPY', 'GBP', 'CHF'];
/** The quantities the locustfile's shoppers add. */
const QUANTITIES: readonly number[] = [1, 2, 3, 4, 5, 10];

/** The demo load generator's shoppers, reduced to what checkout reads (as in the locustfile). */
const PEOPLE: readonly Record<string, unknown>[] = [
  {
    email: 'larry_sergei@example.com',
    address: {
      street_address: '1600 Amphitheatre Parkway',
      zip_code: '94043',
      city: 'Mountain View',
      state: 'CA',
      country: 'United States',
    },
    card_number: '4432-8015-6152-0454',
  },
  {
    email: 'bill@example.com',
    address: {
      street_address: 'One Microsoft Way',
      zip_code: '98052',
      city: 'Redmond',
      state: 'WA',
      country: 'United States',
    },
    card_number: '4532-4211-7434-1278',
  },
  {
    email: 'steve@example.com',
    address: {
      street_address: 'One Apple Park Way',
      zip_code: '95014',
      city: 'Cupertino',
      state: 'CA',
      country: 'United States',
    },
    card_number: '4532-6178-4535-0008',
  },
];

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.min(items.length - 1, Math.floor(random() * items.length))];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function addToCart(random: () => number, quantity?: number): LoadRequest {
  return {
    name: '/cart [add]',
    method: 'POST',
    path: '/cart',
    json: {
      product_id: pick(SHOP_PRODUCT_IDS, random),
      quantity: quantity ?? pick(QUANTITIES, random),
    },
  };
}

/** The locustfile's tasks: home 5, product 10, add-to-cart 3, view-cart 2, checkout 1. */
export const SHOP_TASKS: readonly LoadTask[] = [
  {
    name: 'home',
    weight: 5,
    requests: (random) => [
      { name: '/', method: 'GET', path: `/?currency=${pick(CURRENCIES, random)}` },
    ],
  },
  {
    name: 'browse_product',
    weight: 10,
    requests: (random) => [
      {
        name: '/product/[id]',
        method: 'GET',
        path: `/product/${pick(SHOP_PRODUCT_IDS, random)}`,
      },
    ],
  },
  { name: 'add_to_cart', weight: 3, requests: (random) => [addToCart(random)] },
  {
    name: 'view_cart',
    weight: 2,
    requests: () => [{ name: '/cart', method: 'GET', path: '/cart' }],
  },
  {
    name: 'checkout',
    weight: 1,
    // An empty cart cannot be checked out: one item first, as a shopper would.
    requests: (random) => [
      addToCart(random, 1),
      {
        name: '/checkout',
        method: 'POST',
        path: '/checkout',
        json: { ...pick(PEOPLE, random), currency: pick(CURRENCIES, random) },
      },
    ],
  },
];

/** Think time between two tasks of one user, as the locustfile's `between(0.5, 2)`. */
export const SHOP_THINK_TIME_MS = { min: 500, max: 2000 } as const;

/** The shop's mix as the built-in driver takes it (BuiltinLoadDriverOptions). */
export const SHOP_LOAD_MIX: LoadMix = { tasks: SHOP_TASKS, think_time_ms: SHOP_THINK_TIME_MS };

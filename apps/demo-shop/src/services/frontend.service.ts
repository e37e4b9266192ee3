import { randomUUID } from 'node:crypto';
import { errorMessage } from '../runtime/error-message';
import { type Ad } from '../catalog/ads.data';
import { type Product } from '../catalog/products.data';
import { DependencyError } from '../http/dependency.client';
import { HttpError, ok, type Reply } from '../http/http-reply';
import { type RequestContext, type ServiceRuntime, type ShopService } from './service.definition';
import { type CartLine } from './cart.service';

/**
 * Required data (catalogue, prices, cart): 2 s, a hundred times their normal
 * answer — beyond it the page fails (504) rather than hang.
 */
const REQUIRED_TIMEOUT_MS = 2_000;
/**
 * Optional widgets (ads, recommendations): 800 ms. The page is rendered
 * without them after that, so a slow recommendation costs the page at most
 * 0.8 s and never fails it.
 */
const OPTIONAL_TIMEOUT_MS = 800;
/** A whole checkout: checkout's sequential hops (≤ 1.5–2 s each when broken) with room. */
const CHECKOUT_TIMEOUT_MS = 6_000;
/** Products on the home page: the demo shows the whole (small) catalogue. */
const HOME_PRODUCTS = 10;
/** A cookie per visitor, as the demo's frontend sets one: the cart is keyed by it. */
const SESSION_COOKIE = 'shop_session';
/** Session ids are UUIDs we issued; anything else is replaced (no injection into cart URLs). */
const SESSION_PATTERN = /^[A-Za-z0-9-]{8,64}$/;
/** The test card of the demo's load generator: a valid Luhn number. */
const DEFAULT_CARD = '4432-8015-6152-0454';

interface Session {
  readonly id: string;
  /** Set-Cookie to send when the session is new. */
  readonly cookie?: string;
}

/**
 * frontend: the shop's pages as JSON, assembled from the backends over
 * loopback HTTP. Catalogue, currency, cart and checkout are required: when
 * one fails, the page fails (502, or 504 on a timeout) — the dependency's
 * failure shows up here too. Ads and recommendations are optional widgets:
 * when they fail the page is served without them (a warning in the log), but
 * their slowness still adds latency, up to OPTIONAL_TIMEOUT_MS.
 */
export function createFrontendService(runtime: ServiceRuntime): ShopService {
  const catalog = runtime.dependency('product-catalog');
  const currency = runtime.dependency('currency');
  const ad = runtime.dependency('ad');
  const recommendation = runtime.dependency('recommendation');
  const cart = runtime.dependency('cart');
  const checkout = runtime.dependency('checkout');

  /** An optional widget: its data, or null (logged) when it failed or was too slow. */
  const optional = async <T>(what: string, call: () => Promise<T>): Promise<T | null> => {
    try {
      return await call();
    } catch (error) {
      const message = errorMessage(error);
      runtime.log.throttled(
        'warn',
        `optional ${what}`,
        `${what} unavailable, page served without it: ${message}`,
      );
      return null;
    }
  };
  const ads = (keys: readonly string[]): Promise<{ ads: Ad[] } | null> =>
    optional('ads', () =>
      ad.get<{ ads: Ad[] }>(`/ads?context_keys=${encodeURIComponent(keys.join(','))}`, {
        timeoutMs: OPTIONAL_TIMEOUT_MS,
      }),
    );
  const recommendations = (ids: readonly string[]): Promise<{ product_ids: string[] } | null> =>
    optional('recommendations', () =>
      recommendation.get<{ product_ids: string[] }>(
        `/recommendations?product_ids=${encodeURIComponent(ids.join(','))}`,
        { timeoutMs: OPTIONAL_TIMEOUT_MS },
      ),
    );
  const rate = async (code: string): Promise<number> => {
    if (code === 'USD') {
      // Still asked: the demo's frontend converts every price, and currency carries that load.
      await currency.get('/currencies', { timeoutMs: REQUIRED_TIMEOUT_MS });
      return 1;
    }
    const answer = await currency.get<{ amount: number }>(
      `/convert?from=USD&to=${encodeURIComponent(code)}&amount=1`,
      { timeoutMs: REQUIRED_TIMEOUT_MS },
    );
    return answer.amount;
  };
  const price = (usd: number, factor: number): number => Math.round(usd * factor * 100) / 100;

  const home = async (ctx: RequestContext): Promise<Reply> => {
    const session = sessionOf(ctx);
    const code = currencyOf(ctx);
    const [list, factor, adList, recs] = await Promise.all([
      catalog.get<{ products: Product[] }>('/products', { timeoutMs: REQUIRED_TIMEOUT_MS }),
      rate(code),
      ads([]),
      recommendations([]),
    ]);
    return withSession(session, {
      currency: code,
      products: list.products.slice(0, HOME_PRODUCTS).map((p) => ({
        id: p.id,
        name: p.name,
        price: price(p.price_usd, factor),
      })),
      ads: adList?.ads ?? [],
      recommendations: recs?.product_ids ?? [],
    });
  };

  const product = async (ctx: RequestContext): Promise<Reply> => {
    const session = sessionOf(ctx);
    const id = ctx.params['id'] ?? '';
    const [item, recs, adList] = await Promise.all([
      required(() =>
        catalog.get<Product>(`/products/${encodeURIComponent(id)}`, {
          timeoutMs: REQUIRED_TIMEOUT_MS,
        }),
      ),
      recommendations([id]),
      ads([]),
    ]);
    return withSession(session, {
      product: item,
      recommendations: recs?.product_ids ?? [],
      ads: adList?.ads ?? [],
    });
  };

  const addToCart = async (ctx: RequestContext): Promise<Reply> => {
    const session = sessionOf(ctx);
    const input = await ctx.body();
    const productId = input['product_id'];
    if (typeof productId !== 'string' || productId === '') {
      throw new HttpError(400, 'product_id is required');
    }
    const quantity = Number(input['quantity'] ?? 1);
    const updated = await required(() =>
      cart.post<{ items: CartLine[] }>(`/cart/${encodeURIComponent(session.id)}/items`, {
        body: { product_id: productId, quantity },
        timeoutMs: REQUIRED_TIMEOUT_MS,
      }),
    );
    return withSession(session, { items: updated.items });
  };

  const viewCart = async (ctx: RequestContext): Promise<Reply> => {
    const session = sessionOf(ctx);
    const current = await cart.get<{ items: CartLine[] }>(
      `/cart/${encodeURIComponent(session.id)}`,
      { timeoutMs: REQUIRED_TIMEOUT_MS },
    );
    const products = await Promise.all(
      current.items.map((line) =>
        catalog.get<Product>(`/products/${encodeURIComponent(line.product_id)}`, {
          timeoutMs: REQUIRED_TIMEOUT_MS,
        }),
      ),
    );
    const lines = current.items.map((line, i) => ({
      product_id: line.product_id,
      name: products[i]?.name ?? line.product_id,
      quantity: line.quantity,
      price_usd: products[i]?.price_usd ?? 0,
    }));
    const total = lines.reduce((sum, line) => sum + line.price_usd * line.quantity, 0);
    return withSession(session, { items: lines, total_usd: Math.round(total * 100) / 100 });
  };

  const placeOrder = async (ctx: RequestContext): Promise<Reply> => {
    const session = sessionOf(ctx);
    const input = await ctx.body();
    const order = await required(() =>
      checkout.post<Record<string, unknown>>('/checkout', {
        body: {
          user_id: session.id,
          currency: typeof input['currency'] === 'string' ? input['currency'] : currencyOf(ctx),
          email: typeof input['email'] === 'string' ? input['email'] : 'someone@example.com',
          address:
            typeof input['address'] === 'object' && input['address'] !== null
              ? input['address']
              : {
                  street_address: '1600 Amphitheatre Parkway',
                  city: 'Mountain View',
                  country: 'United States',
                  zip_code: '94043',
                },
          card_number:
            typeof input['card_number'] === 'string' ? input['card_number'] : DEFAULT_CARD,
        },
        timeoutMs: CHECKOUT_TIMEOUT_MS,
      }),
    );
    return withSession(session, order);
  };

  return {
    routes: [
      { method: 'GET', pattern: '/', handle: home },
      { method: 'GET', pattern: '/product/:id', handle: product },
      { method: 'POST', pattern: '/cart', handle: addToCart },
      { method: 'GET', pattern: '/cart', handle: viewCart },
      { method: 'POST', pattern: '/checkout', handle: placeOrder },
    ],
  };
}

/**
 * A required call. A dependency's 4xx is the visitor's mistake (an unknown
 * product, an empty cart at checkout): it is answered with the same status,
 * not as a failure of the page; 5xx and timeouts stay failures (502/504).
 */
async function required<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DependencyError && error.status !== undefined && error.status < 500) {
      throw new HttpError(error.status, error.message);
    }
    throw error;
  }
}

function withSession(session: Session, body: unknown): Reply {
  return session.cookie === undefined ? ok(body) : ok(body, { 'set-cookie': session.cookie });
}

/** The visitor's session from its cookie, or a new one (sent back as a cookie). */
function sessionOf(ctx: RequestContext): Session {
  const existing = cookie(ctx.headers.cookie, SESSION_COOKIE);
  if (existing !== undefined && SESSION_PATTERN.test(existing)) return { id: existing };
  const id = randomUUID();
  return { id, cookie: `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax` };
}

/** `?currency=EUR`, else USD. */
function currencyOf(ctx: RequestContext): string {
  const code = (ctx.query.get('currency') ?? 'USD').toUpperCase();
  return /^[A-Z]{3}$/.test(code) ? code : 'USD';
}

function cookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

import { type Product } from '../catalog/products.data';
import { GrowingCache } from '../faults/growing.cache';
import { flagOn } from '../flags/shop-flags';
import { ok } from '../http/http-reply';
import { sleep } from '../runtime/sleep';
import { type ServiceRuntime, type ShopService } from './service.definition';

/** Recommendations per answer, as in the demo. */
const MAX_RECOMMENDATIONS = 5;
/** The catalogue is one loopback hop away and answers in ~10 ms: 1 s is a failure. */
const CATALOG_TIMEOUT_MS = 1_000;
/** The demo's broken cache misses half the time (`random.random() < 0.5`). */
export const CACHE_MISS_RATIO = 0.5;
/**
 * Each miss keeps another copy of the catalogue, 1 MiB here: at ~10
 * requests/s, ~5 MiB/s, so the 192 MiB soft limit is reached ~25 s after a
 * start — and again ~25 s after every restart while the flag stays on.
 */
export const CACHE_ENTRY_BYTES = 1024 * 1024;
/** Scanning the cache costs 5 ms per copy: +250 ms after 10 s, rising until memory runs out. */
export const CACHE_SCAN_MS_PER_ENTRY = 5;
/** The scan stops growing at 5 s: every caller has timed out by then. */
const CACHE_MAX_SCAN_MS = 5_000;

/**
 * recommendation: up to five other products for the ones on the page, from
 * the catalogue (asked on every call, as the demo's service does). With
 * `recommendationCacheFailure` on, the demo's broken cache: half the calls
 * "miss" and append the catalogue to a cache that is never evicted — memory
 * and latency grow until the service runs out of memory. A restart empties
 * the cache, but the flag is still on: the growth starts over.
 */
export function createRecommendationService(runtime: ServiceRuntime): ShopService {
  const catalog = runtime.dependency('product-catalog');
  const cache = new GrowingCache(CACHE_ENTRY_BYTES, CACHE_SCAN_MS_PER_ENTRY, CACHE_MAX_SCAN_MS);
  let cached: readonly string[] = [];

  const productIds = async (): Promise<readonly string[]> => {
    if (!flagOn(runtime.flags.value('recommendationCacheFailure'))) {
      if (cache.size > 0) cache.clear();
      return listIds();
    }
    if (cached.length === 0 || runtime.random() < CACHE_MISS_RATIO) {
      runtime.log.throttled('info', 'cache miss', 'get_product_list: cache miss');
      cached = await listIds();
      cache.grow();
    }
    await sleep(cache.scanDelayMs());
    return cached;
  };
  const listIds = async (): Promise<readonly string[]> => {
    const answer = await catalog.get<{ products: Product[] }>('/products', {
      timeoutMs: CATALOG_TIMEOUT_MS,
    });
    return answer.products.map((p) => p.id);
  };

  return {
    routes: [
      {
        method: 'GET',
        pattern: '/recommendations',
        handle: async ({ query }) => {
          const exclude = new Set(
            (query.get('product_ids') ?? '').split(',').filter((id) => id !== ''),
          );
          const candidates = [...new Set(await productIds())].filter((id) => !exclude.has(id));
          const picked: string[] = [];
          while (picked.length < MAX_RECOMMENDATIONS && candidates.length > 0) {
            const index = Math.floor(runtime.random() * candidates.length);
            picked.push(...candidates.splice(index, 1));
          }
          return ok({ product_ids: picked });
        },
      },
    ],
  };
}

import { ADS, type Ad } from '../catalog/ads.data';
import { flagOn } from '../flags/shop-flags';
import { HttpError, ok } from '../http/http-reply';
import { type ServiceRuntime, type ShopService } from './service.definition';

/** adFailure fails 1 call in 10, as the demo's ad service does (`random.nextInt(10) == 0`). */
export const AD_FAILURE_RATIO = 0.1;
/**
 * adHighCpu: 20 ms of real CPU per call. At ad's ~10 calls/s under light load
 * that is a fifth of a core — clearly visible in process CPU, without taking
 * the two-core box away from the crew.
 */
export const AD_HIGH_CPU_BURN_MS = 20;
/** Ads per answer: a banner and a side ad. */
const ADS_PER_ANSWER = 2;

/** ad: ads for the page's context keywords (product categories), else random ones. */
export function createAdService(runtime: ServiceRuntime): ShopService {
  return {
    routes: [
      {
        method: 'GET',
        pattern: '/ads',
        handle: ({ query }) => {
          if (flagOn(runtime.flags.value('adHighCpu'))) burnCpu(AD_HIGH_CPU_BURN_MS);
          if (flagOn(runtime.flags.value('adFailure')) && runtime.random() < AD_FAILURE_RATIO) {
            return Promise.reject(new HttpError(503, 'GetAds Failed with status UNAVAILABLE'));
          }
          const keys = (query.get('context_keys') ?? '')
            .split(',')
            .map((k) => k.trim())
            .filter((k) => k !== '');
          return Promise.resolve(ok({ ads: pickAds(keys, runtime.random) }));
        },
      },
    ],
  };
}

function pickAds(keys: readonly string[], random: () => number): Ad[] {
  const matching = ADS.filter((ad) => keys.includes(ad.category));
  const pool = matching.length > 0 ? matching : ADS;
  const picked: Ad[] = [];
  for (let i = 0; i < ADS_PER_ANSWER && i < pool.length; i++) {
    const ad = pool[Math.floor(random() * pool.length)];
    if (ad !== undefined && !picked.includes(ad)) picked.push(ad);
  }
  return picked;
}

/**
 * Busy-waits until this process has spent `ms` more of CPU time (not wall time: on a loaded host
 * a wall-clock spin gets a fraction of a core and would burn less than it claims), as the demo's
 * adHighCpu threads burn it.
 */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  const budgetUs = ms * 1000;
  let x = 0;
  for (;;) {
    for (let i = 0; i < 1000; i++) x += Math.sqrt(x + 1);
    const used = process.cpuUsage(start);
    if (used.user + used.system >= budgetUs) break;
  }
  if (x < 0) throw new Error('unreachable');
}

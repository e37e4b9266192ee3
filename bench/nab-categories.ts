import { type CostMatrix } from './nab-scorer';

/** The category of a corpus file: its folder under `data/` (`realTweets/Twitter_volume_KO.csv`). */
export function categoryOf(rel: string): string {
  const slash = rel.indexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

/**
 * Per-category normalised scores of one profile at the threshold chosen for the whole corpus
 * (NAB optimises one threshold per detector and profile, never one per category): each
 * category's raw total normalised as NAB normalises the corpus, 100·(raw − null)/(perfect − null)
 * over that category's windows. A category without windows has no score (null).
 */
export function scoreCategories(
  perFile: Readonly<Record<string, number>>,
  windowsPerFile: ReadonlyMap<string, number>,
  cost: CostMatrix,
): Record<string, number | null> {
  const totals = new Map<string, { raw: number; windows: number }>();
  for (const [rel, windows] of [...windowsPerFile].sort(([a], [b]) => a.localeCompare(b))) {
    const category = categoryOf(rel);
    const total = totals.get(category) ?? { raw: 0, windows: 0 };
    total.raw += perFile[rel] ?? -cost.fnWeight * windows;
    total.windows += windows;
    totals.set(category, total);
  }
  const out: Record<string, number | null> = {};
  for (const [category, { raw, windows }] of totals) {
    const nullScore = -cost.fnWeight * windows;
    const perfect = cost.tpWeight * windows;
    out[category] =
      windows === 0 ? null : Number(((100 * (raw - nullScore)) / (perfect - nullScore)).toFixed(2));
  }
  return out;
}

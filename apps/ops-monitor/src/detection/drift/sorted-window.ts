/**
 * The last `capacity` values, kept both in arrival order (a ring, to know which
 * value leaves) and in sorted order (for order statistics without sorting per
 * update). A push costs two binary searches and two moves of at most
 * `capacity` doubles; a quantile is O(1) and the MAD O(log capacity).
 */
export class SortedWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private count = 0;
  /** Ring slot of the next write: the oldest value once the window is full. */
  private head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`window capacity must be a positive integer, got ${capacity}`);
    }
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  /** A window holding `values` (oldest first); only the last `capacity` are kept. */
  static of(capacity: number, values: readonly number[]): SortedWindow {
    const window = new SortedWindow(capacity);
    for (const value of values.slice(-capacity)) window.push(value);
    return window;
  }

  get size(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.capacity) {
      const oldest = this.ring[this.head] ?? 0;
      const at = this.lowerBound(oldest);
      this.sorted.copyWithin(at, at + 1, this.count);
      this.count -= 1;
    }
    const at = this.upperBound(value);
    this.sorted.copyWithin(at + 1, at, this.count);
    this.sorted[at] = value;
    this.count += 1;
    this.ring[this.head] = value;
    this.head = (this.head + 1) % this.capacity;
  }

  /** The q-quantile (0..1), linearly interpolated between order statistics; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const position = q * (this.count - 1);
    const below = Math.floor(position);
    const low = this.at(below);
    const high = this.at(Math.min(below + 1, this.count - 1));
    return low + (position - below) * (high - low);
  }

  median(): number {
    return this.quantile(0.5);
  }

  /**
   * Median absolute deviation from `center` (the lower median for an even
   * count): the k-th smallest |x − center|. The distances below and above
   * `center` are two sorted runs of the sorted window, so this is the k-th
   * smallest of two sorted sequences, found by binary search without copying.
   */
  mad(center: number): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    const split = this.lowerBound(center);
    const below = split; // distances center − sorted[split − 1 − i], increasing in i
    const above = n - split; // distances sorted[split + j] − center, increasing in j
    const belowAt = (i: number): number => center - this.at(split - 1 - i);
    const aboveAt = (j: number): number => this.at(split + j) - center;
    const take = Math.floor((n - 1) / 2) + 1; // how many smallest distances to take
    // Find how many of them come from below: the largest i whose i-th below-distance is not
    // beaten by the (take − i)-th above-distance.
    let lo = Math.max(0, take - above);
    let hi = Math.min(take, below);
    while (lo < hi) {
      const i = (lo + hi) >> 1;
      const j = take - i;
      if (j > 0 && aboveAt(j - 1) > belowAt(i)) lo = i + 1;
      else hi = i;
    }
    const fromBelow = lo;
    const fromAbove = take - fromBelow;
    return Math.max(
      fromBelow > 0 ? belowAt(fromBelow - 1) : Number.NEGATIVE_INFINITY,
      fromAbove > 0 ? aboveAt(fromAbove - 1) : Number.NEGATIVE_INFINITY,
    );
  }

  /** The values, oldest first (what persistence stores). */
  values(): number[] {
    const out: number[] = [];
    const start = this.count === this.capacity ? this.head : 0;
    for (let k = 0; k < this.count; k++) out.push(this.ring[(start + k) % this.capacity] ?? 0);
    return out;
  }

  private at(index: number): number {
    return this.sorted[index] ?? Number.NaN;
  }

  /** First index whose value is ≥ `value`. */
  private lowerBound(value: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose value is > `value`. */
  private upperBound(value: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid) <= value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Spread of a service's own work around its median: a log-normal with σ 0.3
 * puts the p99 of the body at about twice the median, what a healthy service
 * with a warm cache shows.
 */
const LOG_SIGMA = 0.3;
/** 1 request in 100 takes 2–5× longer (a GC pause, a cache miss): real p99s have a tail. */
const TAIL_PROBABILITY = 0.01;
const TAIL_MIN_FACTOR = 2;
const TAIL_MAX_FACTOR = 5;

/** The time a request spends in the service's own work, around a median, with a tail. */
export class LatencySampler {
  constructor(
    readonly medianMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  sampleMs(): number {
    const body = this.medianMs * Math.exp(LOG_SIGMA * this.standardNormal());
    const tail =
      this.random() < TAIL_PROBABILITY
        ? TAIL_MIN_FACTOR + (TAIL_MAX_FACTOR - TAIL_MIN_FACTOR) * this.random()
        : 1;
    return body * tail;
  }

  /** Box–Muller: one standard normal from two uniforms. */
  private standardNormal(): number {
    const u = Math.max(this.random(), Number.EPSILON);
    const v = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

import { type ServiceLog } from '../runtime/service.log';

/** RSS is read 4 times a second: a leak of 10 MiB/s overshoots the limit by at most ~2.5 MiB. */
export const MEMORY_SAMPLE_INTERVAL_MS = 250;
/**
 * Back under 90 % of the limit before answering again: without the margin a
 * process hovering at the limit would flap between 503 and 200 every sample.
 */
const RECOVERY_RATIO = 0.9;

/**
 * The service's soft memory limit, enforced by the service itself (there is
 * no cgroup around a local process): once RSS passes it, the service answers
 * 503 "memory exhausted" and its health fails, the way a JVM or a Node heap
 * limit ends in errors before the OOM killer arrives. The limit is the same
 * number the supervisor reports as `memory_limit_bytes`.
 */
export class MemoryGuard {
  private over = false;
  private rss = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly limitBytes: number | null,
    private readonly log: ServiceLog,
    private readonly readRss: () => number = () => process.memoryUsage.rss(),
  ) {}

  start(): void {
    this.sample();
    if (this.limitBytes === null || this.timer !== null) return;
    this.timer = setInterval(() => this.sample(), MEMORY_SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** RSS at the last sample (bytes). */
  get rssBytes(): number {
    return this.rss;
  }

  get exhausted(): boolean {
    return this.over;
  }

  /** Why requests are refused, for the 503 body and the health check. */
  describe(): string {
    return `memory exhausted: rss ${mib(this.rss)} MiB over the soft limit of ${mib(this.limitBytes ?? 0)} MiB`;
  }

  sample(): void {
    this.rss = this.readRss();
    if (this.limitBytes === null) return;
    if (!this.over && this.rss >= this.limitBytes) {
      this.over = true;
      this.log.error(
        `out of memory: rss ${mib(this.rss)} MiB passed the soft limit of ${mib(this.limitBytes)} MiB; ` +
          'answering 503 "memory exhausted" until memory is released',
      );
    } else if (this.over && this.rss < this.limitBytes * RECOVERY_RATIO) {
      this.over = false;
      this.log.info(
        `memory back to ${mib(this.rss)} MiB (limit ${mib(this.limitBytes)} MiB): serving again`,
      );
    }
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / 1_048_576);
}

import { type RestartSeen } from './fault-accounting';

/** The shop supervisor's counters, read once a second. */
const SAMPLE_MS = 1_000;

export type RestartCounts = () => Promise<Record<string, number>>;

/**
 * The restarts of the shop's services, as the shop's own supervisor counts them (not as the
 * crew reports them): each rise of a process's restart_count between two samples is one
 * restart per step, stamped with the sample's time.
 */
export class RestartSampler {
  readonly restarts: RestartSeen[] = [];
  private last: Record<string, number> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly counts: RestartCounts) {}

  async start(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => void this.sample(), SAMPLE_MS);
  }

  /** A last sample (the final restarts), then no more. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sample();
  }

  private async sample(): Promise<void> {
    let now: Record<string, number>;
    try {
      now = await this.counts();
    } catch {
      return; // The supervisor busy for a moment: the next sample sees the rise.
    }
    const at = Date.now();
    if (this.last !== null) {
      for (const [service, count] of Object.entries(now)) {
        const before = this.last[service] ?? 0;
        for (let n = before; n < count; n++) this.restarts.push({ service, at });
      }
    }
    this.last = now;
  }
}

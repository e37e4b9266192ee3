import { type BackoffOptions, backoffDelay } from './backoff';

/**
 * State behind the client's `reconnectDelayHandler`. The nats client calls the
 * handler on every pass of its dial loop, including passes that only wait for
 * the previous delay to elapse, so counting calls would over-count attempts:
 * an attempt only advances once the delay handed out last has elapsed.
 */
export class ReconnectDelay {
  private attempt = 0;
  private current = 0;
  private windowEndsAt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay to hand to the client now. */
  next(): number {
    const now = this.now();
    if (this.attempt === 0 || now >= this.windowEndsAt) {
      this.attempt += 1;
      this.current = backoffDelay(this.attempt, this.options, this.random);
      this.windowEndsAt = now + this.current;
    }
    return this.current;
  }

  /** Connected again: the next outage starts from the initial delay. */
  reset(): void {
    this.attempt = 0;
    this.current = 0;
    this.windowEndsAt = 0;
  }

  attempts(): number {
    return this.attempt;
  }
}

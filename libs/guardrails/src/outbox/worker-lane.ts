/**
 * One delivery lane of the outbox worker (tracker or notifier): runs its pass
 * when kicked, never two passes at once, and one more pass when kicked while
 * running (so an enqueue during a pass is never missed). Lanes are separate
 * so a slow Jira cannot delay alerts.
 */
export class WorkerLane {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly active: () => boolean,
  ) {}

  kick(): void {
    if (!this.active()) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  /** Resolves when the current pass (and its re-runs) finished. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (err: unknown) {
          this.onError(err);
        }
      } while (this.again && this.active());
    } finally {
      this.running = null;
    }
  }
}

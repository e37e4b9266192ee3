export type LogLevel = 'info' | 'warn' | 'error';

/** Where lines go: stdout for info, stderr for the rest (the supervisor keeps both). */
export type LogSink = (level: LogLevel, line: string) => void;

export const consoleSink: LogSink = (level, line) => {
  if (level === 'info') process.stdout.write(`${line}\n`);
  else process.stderr.write(`${line}\n`);
};

/**
 * A failing dependency at 20 requests/s would print 20 identical lines a
 * second and push everything else out of the supervisor's 1000-line ring
 * buffer: repeats of one message key are printed at most once a second,
 * with the count of those left out.
 */
const THROTTLE_INTERVAL_MS = 1_000;
/** Keys remembered for throttling; distinct messages are few, this only bounds a pathological case. */
const MAX_THROTTLE_KEYS = 256;

/** One service's log lines: `2026-01-01T00:00:00.000Z ERROR cart: message`. */
export class ServiceLog {
  private readonly throttle = new Map<string, { lastMs: number; suppressed: number }>();

  constructor(
    readonly service: string,
    private readonly sink: LogSink = consoleSink,
    private readonly now: () => number = Date.now,
  ) {}

  info(message: string): void {
    this.write('info', message);
  }

  warn(message: string): void {
    this.write('warn', message);
  }

  error(message: string): void {
    this.write('error', message);
  }

  /** Like error/warn/info, but at most one line per `key` a second (see THROTTLE_INTERVAL_MS). */
  throttled(level: LogLevel, key: string, message: string): void {
    const now = this.now();
    const entry = this.throttle.get(key);
    if (entry !== undefined && now - entry.lastMs < THROTTLE_INTERVAL_MS) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    if (entry === undefined && this.throttle.size >= MAX_THROTTLE_KEYS) this.throttle.clear();
    this.throttle.set(key, { lastMs: now, suppressed: 0 });
    this.write(level, suppressed > 0 ? `${message} (+${suppressed} similar)` : message);
  }

  private write(level: LogLevel, message: string): void {
    const stamp = new Date(this.now()).toISOString();
    this.sink(level, `${stamp} ${level.toUpperCase()} ${this.service}: ${message}`);
  }
}

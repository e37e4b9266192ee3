import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';

/**
 * Captures every Nest log line (all levels) while active, so a test can
 * assert what was logged — and that no secret ever was.
 */
export class LogCapture {
  readonly lines: { level: string; message: string }[] = [];

  start(): this {
    const push =
      (level: string) =>
      (message: unknown, ...rest: unknown[]): void => {
        this.lines.push({ level, message: [message, ...rest].map(String).join(' ') });
      };
    const logger: LoggerService = {
      log: push('log'),
      error: push('error'),
      warn: push('warn'),
      debug: push('debug'),
      verbose: push('verbose'),
      fatal: push('fatal'),
    };
    Logger.overrideLogger(logger);
    return this;
  }

  /** Back to the test default (test/support/quiet-logs.ts). */
  stop(levels: LogLevel[] = ['error', 'warn']): void {
    Logger.overrideLogger(levels);
  }

  text(): string {
    return this.lines.map((l) => `${l.level}: ${l.message}`).join('\n');
  }

  at(level: string): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }
}

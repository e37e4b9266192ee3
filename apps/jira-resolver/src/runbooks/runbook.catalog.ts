import { errorMessage } from '@opscrew/contracts';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ConfigError, type LoadedConfig, loadConfig, type RunbooksConfig } from '@opscrew/config';
import { PeriodicTask } from '@opscrew/messaging';

/** Editors save in bursts; polling the file's mtime every second is cheap and survives rename-on-save. */
const WATCH_INTERVAL_MS = 1000;

export const RUNBOOKS_FILE = 'project/thresholds/runbooks.json5';

/**
 * The runbooks in force. Reloaded when `runbooks.json5` changes: the whole
 * configuration is loaded and validated again (a runbook may name actions and
 * services defined elsewhere), and a broken edit is rejected with every error
 * line in the log while the previous runbooks stay in force — a typo at 3 a.m.
 * must not leave the crew without runbooks.
 */
export class RunbookCatalog {
  private readonly logger = new Logger(RunbookCatalog.name);
  private current: RunbooksConfig;
  private readonly poll: PeriodicTask<void>;
  private watching = false;
  private version = 1;
  private readonly file: string;
  /**
   * The file as of the last load. Compared with our own record, not with the
   * previous poll, so an edit made between the load and the first poll is
   * still seen (fs.watchFile's first stat would silently absorb it).
   */
  private known: string;

  constructor(
    private readonly loaded: LoadedConfig,
    private readonly reload: () => LoadedConfig = () =>
      loadConfig({ configDir: loaded.source, env: {} }),
    /** Where the file poll is registered: the app's scheduler (default: a registry of its own). */
    scheduler: SchedulerRegistry = new SchedulerRegistry(),
  ) {
    this.current = loaded.config.thresholds.runbooks;
    this.file = runbooksFile(loaded);
    this.known = this.fingerprint();
    this.poll = new PeriodicTask('runbooks-watch', scheduler, () => Promise.resolve(this.check()), {
      onError: (error) => this.logger.error(`runbooks poll failed: ${errorMessage(error)}`),
    });
  }

  get runbooks(): RunbooksConfig {
    return this.current;
  }

  /** Incremented on every accepted reload (for logs and tests). */
  get generation(): number {
    return this.version;
  }

  watch(): void {
    if (this.watching) return;
    this.watching = true;
    // Unref'd as before: the poll alone never keeps a process alive.
    this.poll.start(WATCH_INTERVAL_MS, false, { unref: true });
  }

  /** Stops polling (a poll is synchronous: none is ever in flight here). */
  stop(): void {
    if (!this.watching) return;
    this.watching = false;
    void this.poll.stop();
  }

  /** One poll: reloads when the file changed since the last load. */
  private check(): void {
    const now = this.fingerprint();
    // Missing for a moment while an editor swaps the file in: wait for the new one.
    if (now === this.known || now === 'missing') return;
    // Recorded before the reload: a rejected edit is reported once, not every second.
    this.known = now;
    this.refresh();
  }

  /** mtime and size of the runbooks file ("missing" while an editor swaps it). */
  private fingerprint(): string {
    try {
      const stat = statSync(this.file);
      return `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return 'missing';
    }
  }

  /** Reloads now; returns whether the new runbooks were accepted. */
  refresh(): boolean {
    try {
      const next = this.reload().config.thresholds.runbooks;
      this.current = next;
      this.version++;
      this.logger.log(
        `runbooks reloaded (${next.patterns.size}): ${[...next.patterns.keys()].join(', ')}`,
      );
      return true;
    } catch (error) {
      const lines = error instanceof ConfigError ? error.lines() : [errorMessage(error)];
      this.logger.error(
        `runbooks edit rejected, the previous runbooks stay in force:\n${lines.join('\n')}`,
      );
      return false;
    }
  }
}

/**
 * The runbooks file this config was read from: `project/thresholds/runbooks.json5` below the
 * config root, or below the folder an overlay includes the shipped config from (the compose
 * stack's `shipped/`), whichever the loader actually read.
 */
function runbooksFile(loaded: LoadedConfig): string {
  const read = loaded.files.find(
    (file) => file === RUNBOOKS_FILE || file.endsWith(`/${RUNBOOKS_FILE}`),
  );
  return join(loaded.configRoot, read ?? RUNBOOKS_FILE);
}

import { unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { ConfigError, type LoadedConfig, loadConfig, type RunbooksConfig } from '@opscrew/config';

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
  private watched: string | null = null;
  private version = 1;

  constructor(
    private readonly loaded: LoadedConfig,
    private readonly reload: () => LoadedConfig = () =>
      loadConfig({ configDir: loaded.configRoot, env: {} }),
  ) {
    this.current = loaded.config.thresholds.runbooks;
  }

  get runbooks(): RunbooksConfig {
    return this.current;
  }

  /** Incremented on every accepted reload (for logs and tests). */
  get generation(): number {
    return this.version;
  }

  watch(): void {
    this.watched = join(this.loaded.configRoot, RUNBOOKS_FILE);
    watchFile(this.watched, { interval: WATCH_INTERVAL_MS, persistent: false }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) this.refresh();
    });
  }

  stop(): void {
    if (this.watched) unwatchFile(this.watched);
    this.watched = null;
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
      const lines = error instanceof ConfigError ? error.lines() : [(error as Error).message];
      this.logger.error(
        `runbooks edit rejected, the previous runbooks stay in force:\n${lines.join('\n')}`,
      );
      return false;
    }
  }
}

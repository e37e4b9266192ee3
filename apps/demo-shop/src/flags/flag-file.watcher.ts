import { readFileSync, statSync } from 'node:fs';
import { errorMessage } from '../runtime/error-message';
import { type ServiceLog } from '../runtime/service.log';
import { type FlagValue, type ParsedFlagFile, parseFlagdFile } from './flagd-file.parser';
import {
  describeFlagValue,
  resolveShopFlag,
  SHOP_FLAG_ALIASES,
  type ShopFlagName,
} from './shop-flags';

/** flagd (v0.12, the demo's) polls a file's mtime once a second; the shop sees changes as fast. */
export const FLAG_POLL_INTERVAL_MS = 1_000;

const EMPTY: ParsedFlagFile = { flags: new Map(), problems: [] };

/** What identifies one version of the file: an atomic rename changes the inode, an edit the mtime. */
interface FileStamp {
  readonly mtimeMs: number;
  readonly size: number;
  readonly ino: number;
}

/**
 * The flag file as flagd would serve it: loaded at start, re-read when its
 * mtime (or inode, or size) changes, checked at most once a second. A missing
 * file means every flag is off; a file that does not parse (a non-atomic
 * write caught half-way) keeps the last good flags, as flagd does.
 */
export class FlagFileWatcher {
  private file: ParsedFlagFile = EMPTY;
  private stamp: FileStamp | null = null;
  private missingReported = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly path: string | null,
    private readonly log: ServiceLog,
    private readonly intervalMs: number = FLAG_POLL_INTERVAL_MS,
  ) {}

  /** Loads the file now and then polls it (the timer does not keep the process alive). */
  start(): void {
    this.poll();
    if (this.path === null || this.timer !== null) return;
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The current value of a shop flag (3.0 name or a 1.x alias); undefined = off. */
  value(name: ShopFlagName): FlagValue | undefined {
    return resolveShopFlag(this.file, name);
  }

  get current(): ParsedFlagFile {
    return this.file;
  }

  /** One check: re-read when the file changed since the last one. */
  poll(): void {
    if (this.path === null) return;
    let stamp: FileStamp;
    try {
      const stat = statSync(this.path);
      stamp = { mtimeMs: stat.mtimeMs, size: stat.size, ino: stat.ino };
    } catch {
      if (this.stamp !== null || !this.missingReported) {
        this.log.warn(`flag file ${this.path} not found: every flag is off until it appears`);
        this.missingReported = true;
        this.replace(EMPTY);
      }
      this.stamp = null;
      return;
    }
    if (this.stamp !== null && sameStamp(this.stamp, stamp)) return;
    this.stamp = stamp;
    this.missingReported = false;
    let parsed: ParsedFlagFile;
    try {
      parsed = parseFlagdFile(readFileSync(this.path, 'utf8'));
    } catch (error) {
      const reason = errorMessage(error);
      this.log.warn(`flag file ${this.path} unreadable (${reason}): keeping the previous flags`);
      return;
    }
    for (const problem of parsed.problems) this.log.warn(`flag file: skipped ${problem}`);
    this.replace(parsed);
  }

  private replace(next: ParsedFlagFile): void {
    const previous = this.file;
    this.file = next;
    for (const name of Object.keys(SHOP_FLAG_ALIASES) as ShopFlagName[]) {
      const before = describeFlagValue(resolveShopFlag(previous, name));
      const after = describeFlagValue(resolveShopFlag(next, name));
      if (before !== after) this.log.info(`flag ${name}: ${before} -> ${after}`);
    }
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;
}

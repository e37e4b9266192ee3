import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { errorMessage, IncidentRecord, KV_BUCKETS, validatePlain } from '@opscrew/contracts';
import { type CorrelationFilter, KvFactory, newestFirst } from '@opscrew/messaging';
import { type KvEntry, type QueuedIterator } from 'nats';
import { type IncidentPage, type PagePosition, pageOf } from './incident-page';

/** A watch that ended (NATS gone, bucket recreated) is started again after this pause. */
const RESTART_DELAY_MS = 1000;

/** What the view can say about itself (for logs, tests and the bench). */
export interface IncidentsViewStatus {
  readonly ready: boolean;
  readonly incidents: number;
}

/**
 * The `incidents` bucket in memory, kept current by a KV watch: `GET /incidents` answers from
 * here in microseconds instead of reading every incident from NATS per request (which, at 500
 * concurrent clients, timed out and stalled `/agents` behind it).
 *
 * Started on module init (initial load, then updates; deletes and purges remove); stopped on
 * destroy. `page()` answers null until the initial load is complete — the caller falls back to
 * reading the ledger — so a fresh atlas is never wrong, only slower for its first moments. A
 * watch that ends is started again, and the old view is served until the new one is loaded.
 */
@Injectable()
export class IncidentsView implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IncidentsView.name);
  private records = new Map<string, IncidentRecord>();
  private sorted: IncidentRecord[] | null = [];
  private ready = false;
  private stopped = false;
  private watcher: QueuedIterator<KvEntry> | null = null;
  private running: Promise<void> | null = null;
  /** Ends the pause before a watch restart (stop() must not wait for it). */
  private wake: (() => void) | null = null;

  constructor(private readonly kv: KvFactory) {}

  onModuleInit(): void {
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Starts watching (idempotent); `whenReady()` tells when the initial load is in. */
  start(): void {
    if (this.running !== null || this.stopped) return;
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.watcher?.stop();
    await this.running;
  }

  status(): IncidentsViewStatus {
    return { ready: this.ready, incidents: this.records.size };
  }

  /** Resolves once the initial load is in (or rejects after `timeoutMs`). */
  async whenReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ready) {
      if (Date.now() > deadline) {
        throw new Error(`incidents view not loaded after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** One page, newest first; null while the view is not loaded yet (read the ledger instead). */
  page(filter: CorrelationFilter, limit: number, after: PagePosition | null): IncidentPage | null {
    if (!this.ready) return null;
    this.sorted ??= [...this.records.values()].sort(newestFirst);
    return pageOf(this.sorted, filter, limit, after);
  }

  /**
   * Incidents not resolved yet (escalated ones included: a human has them), newest first;
   * null while the view is not loaded yet (read the ledger instead). For the status page.
   */
  open(): IncidentRecord[] | null {
    if (!this.ready) return null;
    this.sorted ??= [...this.records.values()].sort(newestFirst);
    return this.sorted.filter((record) => record.phase !== 'resolved');
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.watchOnce();
      } catch (err: unknown) {
        if (this.stopped) break;
        this.logger.warn(
          `incidents watch failed (${errorMessage(err)}); ` +
            `${this.ready ? 'serving the last view' : '/incidents reads the ledger'} until it is back`,
        );
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RESTART_DELAY_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async watchOnce(): Promise<void> {
    const kv = await this.kv.raw(KV_BUCKETS.incidents);
    const loading = new Map<string, IncidentRecord>();
    let initial = true;
    // An empty bucket yields no entry to end the initial load on: it is loaded at once.
    const finishLoad = (): void => {
      if (!initial) return;
      initial = false;
      this.records = loading;
      this.sorted = null;
      this.ready = true;
      this.logger.log(`incidents view loaded: ${loading.size} incident(s)`);
    };
    const empty = (await kv.status()).values === 0;
    const watcher = await kv.watch({});
    this.watcher = watcher;
    if (this.stopped) watcher.stop();
    if (empty) finishLoad();
    for await (const entry of watcher) {
      this.apply(initial ? loading : this.records, entry);
      if (initial && (entry.delta ?? 0) === 0) finishLoad();
    }
  }

  private apply(target: Map<string, IncidentRecord>, entry: KvEntry): void {
    if (entry.operation !== 'PUT') {
      target.delete(entry.key);
    } else {
      const record = this.decode(entry);
      if (record === null) return;
      target.set(entry.key, record);
    }
    if (target === this.records) this.sorted = null;
  }

  private decode(entry: KvEntry): IncidentRecord | null {
    let raw: unknown;
    try {
      raw = entry.json();
    } catch {
      raw = undefined;
    }
    const checked = validatePlain(IncidentRecord, raw);
    if (!checked.ok) {
      // Never silently dropped: the same entry read through the ledger would be an error too.
      this.logger.error(
        `incidents/${entry.key} (revision ${entry.revision}) is not an incident record: ${checked.reason}`,
      );
      return null;
    }
    return checked.value;
  }
}

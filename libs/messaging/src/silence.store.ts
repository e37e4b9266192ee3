import {
  type CommandRequester,
  KV_BUCKETS,
  NOTE_MAX_LENGTH,
  SilenceRecord,
} from '@opscrew/contracts';
import { type KvFactory } from './kv-factory.service';
import { type TypedKv } from './typed-kv';

/** The longest maintenance window: a forgotten silence must not hide a service for good. */
export const MAX_SILENCE_MS = 7 * 24 * 60 * 60 * 1000;

/** `silence.<service>`: one window per service (a new one replaces it). */
export function silenceKey(service: string): string {
  return `silence.${service}`;
}

/** A window that cannot be opened: its message says what and why (it goes back to the human). */
export class SilenceRefusedError extends Error {
  override readonly name = 'SilenceRefusedError';
}

/**
 * Maintenance windows in the `silences` bucket (`/silence`): while one is on, ops-monitor opens
 * no ticket for the service (its anomalies are recorded as informational) and jira-resolver
 * never restarts it on its own. NATS 2.9 has no per-key TTL, so a window carries its `until`:
 * every read treats an entry past it as gone (there is no gap between "expired" and "deleted"
 * for a reader), and a writer's `cleanup` deletes such entries by CAS (the bucket TTL sweeps
 * what nobody cleaned). atlas writes; ops-monitor and jira-resolver only read.
 *
 * Service names are taken as given: the caller resolves aliases against `services.watched`
 * first (SilenceCommand does), so every reader looks up the canonical name.
 */
export class SilenceStore {
  constructor(private readonly kv: TypedKv<SilenceRecord>) {}

  /** Opens the store on the bucket (the agent's grant decides whether it may write). */
  static async open(kv: KvFactory): Promise<SilenceStore> {
    return new SilenceStore(await kv.open(KV_BUCKETS.silences, { class: SilenceRecord }));
  }

  /**
   * Silences `service` until `until` (a later call replaces the window, longer or shorter).
   * Refused: an end not after `now`, or more than MAX_SILENCE_MS away.
   */
  async silence(
    service: string,
    until: Date,
    reason: string | undefined,
    by: CommandRequester,
    now: Date = new Date(),
  ): Promise<SilenceRecord> {
    const span = until.getTime() - now.getTime();
    if (!Number.isFinite(span) || span <= 0)
      throw new SilenceRefusedError(`silence ${service}: the window must end after now`);
    if (span > MAX_SILENCE_MS)
      throw new SilenceRefusedError(
        `silence ${service}: at most ${MAX_SILENCE_MS / 3_600_000} h (7 d), asked for ${Math.round(span / 60_000)} min`,
      );
    const record: SilenceRecord = {
      service,
      since: now.toISOString(),
      until: until.toISOString(),
      ...(reason !== undefined && reason.trim() !== ''
        ? { reason: reason.trim().slice(0, NOTE_MAX_LENGTH) }
        : {}),
      by: { via: by.via, id: by.id, name: by.name },
    };
    await this.kv.put(silenceKey(service), record);
    return record;
  }

  /** Ends the service's window now; the window that was on (null: there was none). */
  async end(service: string, now: Date = new Date()): Promise<SilenceRecord | null> {
    const entry = await this.kv.get(silenceKey(service));
    if (entry === null) return null;
    await this.kv.delete(silenceKey(service), entry.revision);
    return live(entry.value, now) ? entry.value : null;
  }

  /** The service's window if one is on at `now`, else null. */
  async isSilenced(service: string, now: Date = new Date()): Promise<SilenceRecord | null> {
    const entry = await this.kv.get(silenceKey(service));
    return entry !== null && live(entry.value, now) ? entry.value : null;
  }

  /** Every window on at `now`, soonest end first. */
  async active(now: Date = new Date()): Promise<SilenceRecord[]> {
    const windows: SilenceRecord[] = [];
    for (const item of await this.kv.values()) {
      if (item.key.startsWith('silence.') && live(item.value, now)) windows.push(item.value);
    }
    return windows.sort((a, b) => Date.parse(a.until) - Date.parse(b.until));
  }

  /**
   * Deletes windows that ended (a writer's chore; readers ignore them anyway). CAS on the
   * revision read: a window renewed meanwhile is kept. Returns the services cleaned.
   */
  async cleanup(now: Date = new Date()): Promise<string[]> {
    const cleaned: string[] = [];
    for (const item of await this.kv.values()) {
      if (live(item.value, now)) continue;
      if (await this.kv.delete(item.key, item.revision)) cleaned.push(item.value.service);
    }
    return cleaned;
  }
}

function live(record: SilenceRecord, now: Date): boolean {
  return Date.parse(record.until) > now.getTime();
}

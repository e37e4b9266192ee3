import { type AuditEntry, type AuditSink } from '@opscrew/ports';

/**
 * An AuditSink that keeps entries in memory. It can fail on demand: `failures` holds errors
 * for the next calls, in order (a crash mid-step), `failing` fails every call (a full disk).
 */
export class RecordingAudit implements AuditSink {
  readonly entries: AuditEntry[] = [];
  readonly failures: (Error | null)[] = [];
  failing = false;

  record(entry: AuditEntry): Promise<void> {
    const failure = this.failures.shift() ?? null;
    if (failure !== null) return Promise.reject(failure);
    if (this.failing) return Promise.reject(new Error('disk full'));
    this.entries.push(entry);
    return Promise.resolve();
  }

  /** `<incident> <action>` per entry, in order: short to assert on. */
  actions(): string[] {
    return this.entries.map((entry) => `${entry.incident_id ?? '?'} ${entry.action}`);
  }
}

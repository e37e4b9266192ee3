import { type AuditEntry, type AuditSink } from '@opscrew/guardrails';

/** An AuditSink that keeps entries in memory, for assertions. */
export class RecordingAuditSink implements AuditSink {
  readonly entries: AuditEntry[] = [];

  record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
    return Promise.resolve();
  }
}

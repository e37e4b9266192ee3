import { type SenderAudit } from '@opscrew/messaging';
import { type AuditSink } from '@opscrew/ports';

/**
 * A consumer's refused sender as an audit entry: `bus.source_mismatch`, refused, naming the
 * subject, the claimed source, the actual publisher and the stream sequence (the input's digest
 * covers the same facts plus the consumer).
 */
export function senderAuditFor(agent: string, audit: AuditSink): SenderAudit {
  return {
    senderMismatch: (mismatch) =>
      audit.record({
        agent,
        action: 'bus.source_mismatch',
        verdict: 'refused',
        result:
          `${mismatch.consumer}: ${mismatch.subject} seq=${mismatch.seq} claims source ` +
          `"${mismatch.claimed}", published by ${mismatch.publisher ?? 'unattributed'}: ` +
          `dead-lettered (${mismatch.reason})`,
        input: mismatch,
      }),
  };
}

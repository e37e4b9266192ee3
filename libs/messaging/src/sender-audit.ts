import { type BusUser } from './bus-user';

/** An event refused because its publisher may not send it or is not who it claims to be. */
export interface SenderMismatch {
  /** The consumer that received and dead-lettered it. */
  readonly consumer: string;
  /** Logical subject (publisher token stripped). */
  readonly subject: string;
  /** The payload's `source` claim. */
  readonly claimed: string;
  /** Who actually published it (the subject's token); null: unattributed. */
  readonly publisher: BusUser | null;
  /** Stream sequence of the refused message. */
  readonly seq: number;
  /** Why it was refused, one line. */
  readonly reason: string;
}

/**
 * Where a consumer reports a refused sender, besides its `source_mismatch` dead letter: an
 * agent's audit log (agent-core binds it, see EventConsumer.auditSendersWith). libs/messaging
 * sits below the audit log (which publishes through it), hence a port.
 */
export interface SenderAudit {
  senderMismatch(mismatch: SenderMismatch): Promise<void>;
}

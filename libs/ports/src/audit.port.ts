/**
 * Security layer 5: an append-only record of every decision and action —
 * who, what, a digest of the input (never the input: it may hold secrets),
 * the policy verdict, the result and the fencing revision when one applies.
 */
export interface AuditEntry {
  readonly agent: string;
  /** e.g. `runtime.restart`, `runtime.rm`, `escalation.L2`, `remediation.step`. */
  readonly action: string;
  readonly verdict: 'allowed' | 'refused';
  /** What happened (or why it was refused), one line. */
  readonly result: string;
  /** Anything that identifies the input; only its SHA-256 is kept. */
  readonly input: unknown;
  readonly incident_id?: string;
  readonly revision?: number;
}

export interface AuditSink {
  record(entry: AuditEntry): Promise<void>;
}

export const AUDIT = Symbol('AUDIT');

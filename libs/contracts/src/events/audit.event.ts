import { AGENT_NAMES, type AgentName } from '../subjects';
import { IsInteger, IsOneOf, IsText, OptionalField } from '../validation/field.validators';
import { EventEnvelope } from './event-envelope';
import { IDENTIFIER_MAX_LENGTH, NOTE_MAX_LENGTH } from './field-limits';

export const AUDIT_VERDICTS = ['allowed', 'refused'] as const;
export type AuditVerdict = (typeof AUDIT_VERDICTS)[number];

/** A sha256 hex digest is 64 characters; 128 leaves room for an algorithm prefix. */
const DIGEST_MAX_LENGTH = 128;

/** `audit.<agent>`: one decision or action with its policy verdict. */
export class AuditEvent extends EventEnvelope {
  /** Must equal the subject's last token. */
  @IsOneOf(AGENT_NAMES)
  agent!: AgentName;

  @IsText(IDENTIFIER_MAX_LENGTH)
  action!: string;

  @IsOneOf(AUDIT_VERDICTS)
  verdict!: AuditVerdict;

  /** Digest of the action's input: provable without storing secrets or user text. */
  @IsText(DIGEST_MAX_LENGTH)
  input_digest!: string;

  @IsText(NOTE_MAX_LENGTH)
  result!: string;

  /** The lease revision (fencing token) the action ran under, when it needed one. */
  @OptionalField()
  @IsInteger(1)
  revision?: number;
}

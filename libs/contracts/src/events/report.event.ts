import { IsFlatRecord, IsText, IsToken, OptionalField } from '../validation/field.validators';
import { EventEnvelope } from './event-envelope';
import { LABEL_MAX_LENGTH } from './field-limits';
import { SUBJECT_TOKEN_MAX_LENGTH } from '../subjects';

/** Discord embeds cap descriptions at 4096 characters; 4000 leaves room for framing. */
export const REPORT_TEXT_MAX_LENGTH = 4000;

/** Discord embeds allow 25 fields; 25 keeps a report renderable everywhere. */
const REPORT_FIELD_LIMITS = {
  maxKeys: 25,
  maxKeyLength: 256,
  maxStringLength: 1024,
  allowBoolean: false,
};

/** `report.<kind>`: a human-facing report (also sent to the notifier). */
export class ReportEvent extends EventEnvelope {
  /** Must equal the subject's last token (`daily`, `weekly`, `scenario`, `postmortem`…). */
  @IsToken(SUBJECT_TOKEN_MAX_LENGTH)
  kind!: string;

  @IsText(LABEL_MAX_LENGTH)
  title!: string;

  @IsText(REPORT_TEXT_MAX_LENGTH)
  text!: string;

  @OptionalField()
  @IsFlatRecord(REPORT_FIELD_LIMITS)
  fields?: Record<string, string | number>;
}

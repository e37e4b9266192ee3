import { LABEL_MAX_LENGTH, REPORT_TEXT_MAX_LENGTH } from '@opscrew/contracts';
import { truncate } from '@opscrew/ports';
import { type DataQualityWarning } from '../detection/anomaly';

/** A report field's string limit (ReportEvent: Discord's embed field value). */
const FIELD_MAX_LENGTH = 1024;

/** The body of `report.data-quality` for one warning (the publisher adds the envelope). */
export interface DataQualityReportBody {
  readonly kind: 'data-quality';
  readonly title: string;
  readonly text: string;
  readonly fields: Record<string, string | number>;
}

/**
 * One warning as a human-facing report: which service and metric, and either the implausible
 * value and its limit, or why nothing could be measured. Sources' reasons quote what they
 * were answered, so they are cut to the event's limits rather than refused by them.
 */
export function dataQualityReport(warning: DataQualityWarning): DataQualityReportBody {
  const detail: Record<string, string | number> =
    warning.kind === 'implausible'
      ? { value: warning.value, limit: warning.limit }
      : { reason: truncate(warning.reason, FIELD_MAX_LENGTH) };
  return {
    kind: 'data-quality',
    title: truncate(
      `data_quality: ${warning.service} ${warning.metric}${warning.kind === 'missing' ? ' missing' : ''}`,
      LABEL_MAX_LENGTH,
    ),
    text: truncate(warning.message, REPORT_TEXT_MAX_LENGTH),
    fields: {
      service: warning.service,
      metric: warning.metric,
      kind: warning.kind,
      ...detail,
    },
  };
}

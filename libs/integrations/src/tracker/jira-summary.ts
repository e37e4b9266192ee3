import { truncate } from '@opscrew/ports';
import { neutraliseLine } from '../text/neutralise';

/** Jira's summary limit (a longer one is a 400 and the ticket is not created). */
export const JIRA_SUMMARY_MAX_LENGTH = 255;

/** Raw text read before neutralising (4x the limit: invisible characters are removed). */
const RAW_MAX = 4 * JIRA_SUMMARY_MAX_LENGTH;

/**
 * A ticket's summary: one neutralised line of at most 255 characters, never
 * empty (the incident id, then a fixed text, stand in for a summary that
 * neutralises to nothing — Jira requires one).
 */
export function jiraSummary(summary: string, incidentId: string): string {
  return (
    truncate(neutraliseLine(truncate(summary, RAW_MAX)), JIRA_SUMMARY_MAX_LENGTH) ||
    truncate(neutraliseLine(truncate(incidentId, RAW_MAX)), JIRA_SUMMARY_MAX_LENGTH) ||
    'opscrew incident'
  );
}

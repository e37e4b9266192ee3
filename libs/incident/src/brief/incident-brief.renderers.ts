import { type Notification, type TicketDraft } from '@opscrew/ports';
import { ticketKey } from '../keys/incident-keys';
import { type IncidentBrief } from './incident-brief';

/**
 * A service name as a label: one line. A name is data; a multi-line one once
 * made every line of a ticket section (and its trace link) repeat.
 */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The ticket: detection time, service, symptom with value and threshold, impact, trace link, runbook. */
export function renderTicket(brief: IncidentBrief, labels: readonly string[]): TicketDraft {
  const service = oneLine(brief.service);
  return {
    idempotency_key: ticketKey(brief.incidentId),
    incident_id: brief.incidentId,
    summary: `[Auto] ${brief.headline}`,
    sections: [
      { label: 'Incident', text: brief.incidentId },
      { label: 'Detected at', text: brief.detectedAt },
      {
        label: 'Service',
        text:
          service + (brief.dependencies.length ? ` (calls ${brief.dependencies.join(', ')})` : ''),
      },
      {
        label: 'Symptom',
        text: `${brief.symptom}: ${brief.value}${brief.threshold ? ` (threshold ${brief.threshold})` : ''} — ${brief.detail}`,
      },
      { label: 'Impact', text: brief.impact },
      ...(brief.traceUrl
        ? [{ label: 'Traces', text: `${service} in SigNoz`, href: brief.traceUrl }]
        : []),
      brief.runbook
        ? {
            label: 'Recommended runbook',
            text: `${brief.runbook.name}: ${brief.runbook.description}. Steps: ${brief.runbook.steps.join('; ')}`,
          }
        : {
            label: 'Recommended runbook',
            text: `none matched symptom ${brief.symptom}: a human should triage this one`,
          },
    ],
    labels: [...labels],
    severity: brief.severity,
    service: brief.service,
  };
}

/** The alert: the same facts, short, for a chat channel. */
export function renderAlert(brief: IncidentBrief): Notification {
  return {
    idempotency_key: `alert:${brief.incidentId}`,
    kind: 'incident',
    severity: brief.severity,
    title: `${brief.incidentId} ${brief.headline}`,
    text: brief.detail,
    fields: [
      { name: 'Service', value: oneLine(brief.service), inline: true },
      { name: 'Severity', value: brief.severity, inline: true },
      {
        name: 'Value',
        value: brief.threshold ? `${brief.value} (threshold ${brief.threshold})` : brief.value,
        inline: true,
      },
      {
        name: 'Runbook',
        value: brief.runbook ? brief.runbook.name : 'none matched: needs a human',
      },
      { name: 'Detected at', value: brief.detectedAt },
    ],
    incident_id: brief.incidentId,
    ...(brief.traceUrl ? { url: brief.traceUrl } : {}),
  };
}

import { type IncidentFacts, type IncidentHistoryStep } from './incident-reasoning.types';

/**
 * The postmortem draft without a model: facts from the ledger in the usual
 * blameless shape, the parts only a human can write left as prompts. Text
 * from the ledger is flattened and its markdown escaped: a note may come from
 * a ticket comment and must not restructure the document.
 */
export function postmortemTemplate(
  incident: IncidentFacts,
  history: readonly IncidentHistoryStep[],
): string {
  const sorted = [...history].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const first = sorted[0]?.at ?? incident.detected_at;
  const last = sorted[sorted.length - 1]?.at ?? incident.detected_at;
  const durationMin = Math.max(0, (Date.parse(last) - Date.parse(first)) / 60_000);
  const resolved = sorted.some((step) => step.phase === 'resolved');
  const escalated = sorted.some((step) => step.phase === 'escalated');
  const outcome = resolved
    ? 'resolved'
    : escalated
      ? 'escalated to a human'
      : `open (phase ${cell(incident.phase ?? sorted[sorted.length - 1]?.phase ?? 'detected')})`;
  const metric = incident.metric ?? incident.symptom;
  const threshold =
    incident.threshold !== undefined ? ` (threshold ${measure(metric, incident.threshold)})` : '';
  const lines = [
    `# Postmortem (draft): ${cell(incident.incident_id)} — ${cell(incident.service)} ${cell(incident.symptom)}`,
    '',
    '## Summary',
    '',
    `- Service: ${cell(incident.service)}`,
    `- Symptom: ${cell(incident.symptom)}, severity ${cell(incident.severity)}`,
    `- Measured: ${cell(metric)} ${measure(metric, incident.value)}${threshold}` +
      (incident.peak_value !== undefined ? `, peak ${measure(metric, incident.peak_value)}` : ''),
    `- Detected: ${cell(incident.detected_at)}` +
      (incident.count !== undefined ? `, seen ${incident.count} time(s)` : ''),
    `- Outcome: ${outcome}, ${durationMin.toFixed(1)} min from first to last step`,
    '',
    '## Timeline',
    '',
    '| time (UTC) | phase | by | note |',
    '| --- | --- | --- | --- |',
    ...sorted.map(
      (step) =>
        `| ${cell(step.at)} | ${cell(step.phase)} | ${cell(step.source)} | ${cell(step.note ?? '')} |`,
    ),
    '',
    '## Root cause',
    '',
    '_To be written by the on-call engineer: what failed, and why the system allowed it._',
    '',
    '## What went well / what did not',
    '',
    '- _Detection:_',
    '- _Remediation:_',
    '- _Escalation:_',
    '',
    '## Action items',
    '',
    '- [ ] _Owner — action — due date_',
    '',
  ];
  return lines.join('\n');
}

/** A value as people read it, its unit taken from the metric's name: 0.3333 ratio → 33.3 %. */
function measure(metric: string, value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (metric.endsWith('_ratio')) return `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`;
  if (metric.endsWith('_ms')) return `${Math.round(value)} ms`;
  return String(Number(value.toPrecision(4)));
}

/** One line, table-safe, markdown inert. */
function cell(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/([\\`*_{}[\]()#+!|<>~])/g, '\\$1')
    .slice(0, 300);
}

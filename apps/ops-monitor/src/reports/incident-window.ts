import { type IncidentRecord } from '@opscrew/contracts';

/** What happened to incidents within one window (e.g. the last 24 h). */
export interface IncidentWindow {
  readonly opened: number;
  readonly resolved: number;
  readonly escalated: number;
  /** Opened in the window by severity. */
  readonly by_severity: ReadonlyMap<string, number>;
  /** Services by incidents opened in the window, then by detections folded into them; noisiest first. */
  readonly noisy: readonly { service: string; incidents: number; detections: number }[];
}

/**
 * Counts incidents opened (detected_at), resolved and escalated (a history step of that phase)
 * within [since, until). Pure: the report's figures are tested without a bus.
 */
export function incidentWindow(
  incidents: readonly IncidentRecord[],
  since: number,
  until: number,
): IncidentWindow {
  const within = (at: string): boolean => {
    const t = Date.parse(at);
    return t >= since && t < until;
  };
  let opened = 0;
  let resolved = 0;
  let escalated = 0;
  const bySeverity = new Map<string, number>();
  const services = new Map<string, { incidents: number; detections: number }>();
  for (const incident of incidents) {
    if (within(incident.detected_at)) {
      opened += 1;
      bySeverity.set(incident.severity, (bySeverity.get(incident.severity) ?? 0) + 1);
      const entry = services.get(incident.service) ?? { incidents: 0, detections: 0 };
      entry.incidents += 1;
      entry.detections += incident.count;
      services.set(incident.service, entry);
    }
    if (incident.history.some((step) => step.phase === 'resolved' && within(step.at)))
      resolved += 1;
    if (incident.history.some((step) => step.phase === 'escalated' && within(step.at)))
      escalated += 1;
  }
  const noisy = [...services.entries()]
    .map(([service, counts]) => ({ service, ...counts }))
    .sort(
      (a, b) =>
        b.incidents - a.incidents ||
        b.detections - a.detections ||
        a.service.localeCompare(b.service),
    );
  return { opened, resolved, escalated, by_severity: bySeverity, noisy };
}

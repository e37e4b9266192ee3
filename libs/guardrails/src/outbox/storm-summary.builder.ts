import { type OutboxItemRecord, SEVERITIES, type Severity } from '@opscrew/contracts';
import { type Notification } from '@opscrew/ports';

export interface StormSummaryLimits {
  readonly ticket_creates_per_window: number;
  readonly ticket_window_ms: number;
  readonly notifications_per_window: number;
  readonly notification_window_ms: number;
}

/** Room left in the 4096-character description after the header and the "… and N more" line. */
const TEXT_BUDGET = 3800;
/** Discord pings at most a few roles usefully; the record allows 10. */
const MAX_ROLES = 10;

interface Group {
  label: string;
  severity: Severity;
  alert: boolean;
  ticket: boolean;
  title: string;
}

/**
 * The ONE notification that replaces a storm: every held alert and every
 * ticket creation that was not opened, grouped by incident, most severe
 * first, with counts. Its roles are the union of what the held alerts asked
 * to ping, so an escalation inside a storm still wakes its on-call.
 */
export function buildStormSummary(
  idempotencyKey: string,
  folded: readonly OutboxItemRecord[],
  limits: StormSummaryLimits,
  maxLines: number,
): Notification {
  const groups = new Map<string, Group>();
  const roles = new Set<string>();
  let alerts = 0;
  let tickets = 0;
  for (const item of folded) {
    const notification = item.notification;
    const draft = item.ticket_draft;
    const incident = notification?.incident_id ?? draft?.incident_id;
    const title = notification?.title ?? draft?.summary ?? item.idempotency_key;
    const severity = notification?.severity ?? draft?.severity ?? 'info';
    const groupKey = incident ?? `${item.kind}:${item.idempotency_key}`;
    const group = groups.get(groupKey) ?? {
      label: incident ?? '(no incident)',
      severity,
      alert: false,
      ticket: false,
      title,
    };
    if (rank(severity) < rank(group.severity)) group.severity = severity;
    if (item.kind === 'notify') {
      alerts += 1;
      group.alert = true;
      for (const role of notification?.mention_roles ?? []) roles.add(role);
    } else {
      tickets += 1;
      group.ticket = true;
    }
    groups.set(groupKey, group);
  }
  const ordered = [...groups.values()].sort(
    (a, b) => rank(a.severity) - rank(b.severity) || a.label.localeCompare(b.label),
  );
  const header =
    `Rate limits held back ${alerts} alert(s) and ${tickets} ticket creation(s) ` +
    `(alerts: ${limits.notifications_per_window} per ${duration(limits.notification_window_ms)}, ` +
    `tickets: ${limits.ticket_creates_per_window} per ${duration(limits.ticket_window_ms)}). ` +
    `Nothing was dropped: every incident stays in the ledger.`;
  const lines: string[] = [];
  let length = header.length;
  for (const group of ordered) {
    if (lines.length >= maxLines) break;
    const what = [group.alert ? 'alert held' : '', group.ticket ? 'ticket not opened' : '']
      .filter(Boolean)
      .join(', ');
    const line = `• [${group.severity}] ${group.label} — ${group.title} (${what})`;
    if (length + line.length + 1 > TEXT_BUDGET) break;
    lines.push(line);
    length += line.length + 1;
  }
  const rest = ordered.length - lines.length;
  const text = [header, '', ...lines, ...(rest > 0 ? [`… and ${rest} more incident(s)`] : [])].join(
    '\n',
  );
  const bySeverity = SEVERITIES.map(
    (s) => [s, ordered.filter((g) => g.severity === s).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(' · ');
  const worst = ordered[0]?.severity ?? 'info';
  return {
    idempotency_key: idempotencyKey,
    kind: 'summary',
    severity: worst,
    title: `Alert storm: ${ordered.length} incident(s) summarised`,
    text,
    fields: [
      { name: 'Alerts held back', value: String(alerts), inline: true },
      { name: 'Tickets not opened', value: String(tickets), inline: true },
      { name: 'Incidents by severity', value: bySeverity || '-', inline: false },
    ],
    ...(roles.size > 0 ? { mention_roles: [...roles].slice(0, MAX_ROLES) } : {}),
  };
}

function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function duration(ms: number): string {
  if (ms === 60 * 60 * 1000) return 'hour';
  if (ms === 60 * 1000) return 'minute';
  if (ms % (60 * 1000) === 0) return `${ms / 60_000} min`;
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}

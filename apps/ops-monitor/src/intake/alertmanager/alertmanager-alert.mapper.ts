import {
  type AlertmanagerIntakeConfig,
  defaultReportValue,
  describeWatchedServices,
  resolveServiceName,
  type ServicesConfig,
  SYMPTOMS,
  type Symptom,
} from '@opscrew/config';
import { type EventPayloads, NOTE_MAX_LENGTH, SEVERITIES, type Severity } from '@opscrew/contracts';
import { type AlertmanagerAlertDto, type AlertmanagerWebhookDto } from './alertmanager-webhook.dto';

/** Every alert is reported under this name: `GET /incidents?reporter=alertmanager`. */
export const ALERTMANAGER_REPORTER = 'alertmanager';
/** Evidence strings are capped at 1024 characters by the contract. */
const EVIDENCE_CHARS = 1024;

/** Why an alert could not become a report (a closed set: it labels a metric). */
export type RejectionCode = 'unknown_service' | 'no_symptom' | 'unknown_symptom';

export interface Rejection {
  readonly fingerprint: string;
  readonly code: RejectionCode;
  readonly reason: string;
}

export type MappedAlert =
  | {
      readonly ok: true;
      readonly report: EventPayloads['incident.reported'];
      /** Nats-Msg-Id: a retried notification is stored once (the stream's duplicate window). */
      readonly id: string;
    }
  | { readonly ok: false; readonly rejection: Rejection };

/**
 * One Alertmanager alert → one `incident.reported` (reporter `alertmanager`, dedup key = the
 * alert's fingerprint, status = the alert's): the service from the first configured label
 * naming a watched service or alias, the symptom from the `symptom` label or the alertname
 * map, the value from a numeric `value` annotation or label (else the symptom's default),
 * the severity from the `severity` label through the configured map (else ops-monitor's
 * alerting bands). An alert that names no watched service or no known symptom is rejected
 * with a reason naming what it carried and what would have matched.
 */
export function mapAlert(
  alert: AlertmanagerAlertDto,
  payload: Pick<AlertmanagerWebhookDto, 'receiver' | 'groupKey'>,
  config: AlertmanagerIntakeConfig,
  services: ServicesConfig,
): MappedAlert {
  const { labels, annotations } = alert;
  const reject = (code: RejectionCode, reason: string): MappedAlert => ({
    ok: false,
    rejection: { fingerprint: alert.fingerprint, code, reason },
  });

  const service = serviceOf(labels, config.service_labels, services);
  if (service === undefined) {
    const seen = config.service_labels
      .filter((label) => labels[label] !== undefined)
      .map((label) => `${label}="${labels[label] ?? ''}"`);
    return reject(
      'unknown_service',
      `no watched service in labels ${config.service_labels.join(', ')}` +
        ` (${seen.length > 0 ? `got ${seen.join(', ')}` : 'none of them is set'};` +
        ` watched, with aliases: ${describeWatchedServices(services)})`,
    );
  }

  const named = labels['symptom'];
  const alertname = labels['alertname'];
  let symptom: Symptom | undefined;
  if (named !== undefined) {
    symptom = SYMPTOMS.find((known) => known === named);
    if (symptom === undefined)
      return reject(
        'unknown_symptom',
        `label symptom="${named}" is not a known symptom (known: ${SYMPTOMS.join(', ')})`,
      );
  } else {
    const mapped = alertname === undefined ? undefined : config.symptoms_by_alertname[alertname];
    symptom = SYMPTOMS.find((known) => known === mapped);
    if (symptom === undefined)
      return reject(
        'no_symptom',
        `alertname "${alertname ?? ''}" has no symptom: add a symptom label to the alerting rule ` +
          `or map it in integrations.alertmanager.symptoms_by_alertname (known: ${SYMPTOMS.join(', ')})`,
      );
  }

  const value = numberIn(annotations['value']) ?? numberIn(labels['value']);
  const threshold = numberIn(annotations['threshold']) ?? numberIn(labels['threshold']);
  const severity = severityOf(labels['severity'], config.severity_by_label);
  const summary = annotations['summary'] ?? annotations['description'];
  const evidence: Record<string, string> = {
    ...(alertname !== undefined ? { alertname: alertname.slice(0, EVIDENCE_CHARS) } : {}),
    starts_at: alert.startsAt,
    ...(alert.status === 'resolved' ? { ends_at: alert.endsAt } : {}),
    ...(alert.generatorURL ? { generator_url: alert.generatorURL.slice(0, EVIDENCE_CHARS) } : {}),
    ...(annotations['runbook_url']
      ? { runbook_url: annotations['runbook_url'].slice(0, EVIDENCE_CHARS) }
      : {}),
    receiver: payload.receiver.slice(0, EVIDENCE_CHARS),
    group_key: payload.groupKey.slice(0, EVIDENCE_CHARS),
    ...(value === undefined ? { value: 'not given: the symptom default' } : {}),
  };
  return {
    ok: true,
    id: `am.${alert.fingerprint}.${alert.status}.${alert.status === 'resolved' ? alert.endsAt : alert.startsAt}`,
    report: {
      service,
      symptom,
      value: value ?? defaultReportValue(symptom),
      ...(threshold !== undefined ? { threshold } : {}),
      ...(severity !== undefined ? { severity } : {}),
      reporter: ALERTMANAGER_REPORTER,
      dedup_key: alert.fingerprint,
      status: alert.status,
      ...(summary ? { summary: summary.slice(0, NOTE_MAX_LENGTH) } : {}),
      evidence,
    },
  };
}

/** The first configured label whose value is a watched service or one of its aliases. */
function serviceOf(
  labels: Record<string, string>,
  serviceLabels: readonly string[],
  services: ServicesConfig,
): string | undefined {
  for (const label of serviceLabels) {
    const value = labels[label];
    const service = value === undefined ? undefined : resolveServiceName(services, value);
    if (service !== undefined) return service;
  }
  return undefined;
}

/** `0.42`, `6500`, `1.5e+03` (Go's %g): a finite number; anything else is not a value. */
function numberIn(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : undefined;
}

function severityOf(
  label: string | undefined,
  map: Readonly<Record<string, string>>,
): Severity | undefined {
  if (label === undefined) return undefined;
  const mapped = map[label] ?? map[label.toLowerCase()];
  return SEVERITIES.find((known) => known === mapped);
}

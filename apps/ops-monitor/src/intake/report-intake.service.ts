import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  describeWatchedServices,
  type OpscrewConfig,
  resolveServiceName,
  severityFor,
  SYMPTOM_METRICS,
  SYMPTOMS,
  type Symptom,
  UNMETERED_SYMPTOM_METRIC,
} from '@opscrew/config';
import {
  type FingerprintRecord,
  type IncidentReportedEvent,
  NOTE_MAX_LENGTH,
  SUBJECTS,
} from '@opscrew/contracts';
import { fingerprintKey, formatValue } from '@opscrew/incident';
import { EventPublisher, PermanentError, SilenceStore } from '@opscrew/messaging';
import {
  IncidentManager,
  type IncidentOutcome,
  type Sighting,
} from '../incidents/incident-manager.service';
import { silencedServices, underSilence } from '../incidents/silenced-sighting';
import { LockedServicesReader } from '../locks/locked-services.reader';
import { MONITOR_CONFIG, WALL_CLOCK } from '../ops-monitor.tokens';

/**
 * Reports come in bursts (an Alertmanager group, a retrying probe): the locks bucket is
 * listed at most once a second for them, not once per report. A lock taken less than a
 * second before a report may be missed by it, as by a detection cycle already under way.
 */
const LOCK_VIEW_MS = 1000;
/** Evidence goes into the incident's detail (ticket, alert): a few keys, not a payload dump. */
const EVIDENCE_IN_DETAIL = 10;
const EVIDENCE_VALUE_CHARS = 200;

/** What became of one report. */
export type IntakeOutcome =
  | IncidentOutcome
  /** `resolved`, noted on the open incident (never resolves it). */
  | 'noted'
  /** `resolved`, but nothing is open for the fingerprint: recorded nowhere, opens nothing. */
  | 'nothing_open';

export interface IntakeResult {
  readonly outcome: IntakeOutcome;
  readonly fingerprint: string;
  readonly incident_id?: string;
}

/**
 * Folds `incident.reported` into the fingerprint index exactly like one of ops-monitor's own
 * detections: the same fingerprint (`service:symptom`, services by name or alias), the same
 * dedup window and CAS, the same ticket and alert through the same announcer, informational
 * while the service is locked for deliberate work. Severity is the reporter's, or the
 * alerting bands' for the symptom's metric. A `resolved` report is recorded on the open
 * incident and never closes it (the crew verifies fixes with its own metrics) nor opens one.
 * Unknown services and symptoms are refused (PermanentError: the consumer dead-letters them
 * with the reason).
 */
@Injectable()
export class ReportIntake {
  private readonly logger = new Logger(ReportIntake.name);
  private locks: { at: number; held: ReadonlySet<string> } | null = null;

  constructor(
    @Inject(MONITOR_CONFIG) private readonly config: Pick<OpscrewConfig, 'services' | 'thresholds'>,
    @Inject(IncidentManager)
    private readonly incidents: Pick<IncidentManager, 'handle' | 'openIncident'>,
    @Inject(LockedServicesReader) private readonly locked: Pick<LockedServicesReader, 'read'>,
    @Inject(EventPublisher) private readonly publisher: Pick<EventPublisher, 'publish'>,
    @Optional() @Inject(WALL_CLOCK) private readonly now: () => Date = () => new Date(),
    // Maintenance windows (/silence): a report on a silenced service is recorded, not ticketed.
    @Optional() private readonly silences?: SilenceStore,
  ) {}

  async take(report: IncidentReportedEvent): Promise<IntakeResult> {
    const service = this.serviceOf(report);
    const symptom = this.symptomOf(report);
    const fingerprint = fingerprintKey(service, symptom);
    if (report.status === 'resolved') return this.noteResolved(report, service, symptom);

    const informational = (await this.lockedServices()).has(service);
    const sighting: Sighting = {
      service,
      symptom,
      rule: 'reported',
      metric: report.metric ?? SYMPTOM_METRICS[symptom] ?? UNMETERED_SYMPTOM_METRIC,
      value: report.value,
      ...(report.threshold !== undefined ? { threshold: report.threshold } : {}),
      // Under a deliberate-work lock a report is informational, like a detection: info, no page.
      severity: informational
        ? 'info'
        : (report.severity ??
          severityFor(symptom, report.value, this.config.thresholds.alerting.severity)),
      informational,
      detail: detailOf(report, service, symptom, informational),
      report: {
        id: report.id,
        reporter: report.reporter,
        ...(report.dedup_key !== undefined ? { dedup_key: report.dedup_key } : {}),
      },
    };
    const silence = (
      await silencedServices(this.silences, this.now(), (message) => this.logger.warn(message))
    ).get(service);
    const { outcome, record } = await this.incidents.handle(
      silence ? underSilence(sighting, silence) : sighting,
    );
    return { outcome, fingerprint, incident_id: record.incident_id };
  }

  private serviceOf(report: IncidentReportedEvent): string {
    const service = resolveServiceName(this.config.services, report.service);
    if (service === undefined)
      throw new PermanentError(
        `incident.reported ${report.id} from ${report.reporter}: unknown service "${report.service}" ` +
          `(watched, with aliases: ${describeWatchedServices(this.config.services)})`,
      );
    return service;
  }

  private symptomOf(report: IncidentReportedEvent): Symptom {
    const symptom = SYMPTOMS.find((known) => known === report.symptom);
    if (symptom === undefined)
      throw new PermanentError(
        `incident.reported ${report.id} from ${report.reporter}: unknown symptom "${report.symptom}" ` +
          `(known: ${SYMPTOMS.join(', ')})`,
      );
    return symptom;
  }

  /** A `resolved` report is news for the humans on the incident, never proof of a fix. */
  private async noteResolved(
    report: IncidentReportedEvent,
    service: string,
    symptom: string,
  ): Promise<IntakeResult> {
    const fingerprint = fingerprintKey(service, symptom);
    const open = await this.incidents.openIncident(service, symptom);
    if (open === null) return { outcome: 'nothing_open', fingerprint };
    await this.publisher.publish(
      SUBJECTS.incidentUpdated,
      {
        incident_id: open.incident_id,
        fingerprint,
        note: resolvedNote(report, open),
        reporters: [report.reporter],
        ...(report.dedup_key !== undefined ? { dedup_keys: [report.dedup_key] } : {}),
      },
      // One note per report, however often it is redelivered (report ids may be 128 long).
      {
        id: `incident.updated.${open.incident_id}.resolved-report.${digest(report.id)}`,
      },
    );
    return { outcome: 'noted', fingerprint, incident_id: open.incident_id };
  }

  private async lockedServices(): Promise<ReadonlySet<string>> {
    const now = this.now();
    if (this.locks === null || now.getTime() - this.locks.at >= LOCK_VIEW_MS) {
      this.locks = { at: now.getTime(), held: new Set((await this.locked.read(now)).keys()) };
    }
    return this.locks.held;
  }
}

/** One sentence for the ticket: who reported what, in the metric's unit, with its evidence. */
function detailOf(
  report: IncidentReportedEvent,
  service: string,
  symptom: string,
  informational: boolean,
): string {
  const metric = report.metric ?? SYMPTOM_METRICS[symptom as Symptom] ?? UNMETERED_SYMPTOM_METRIC;
  const parts = [
    `${report.reporter} reported ${symptom} on ${service} = ${formatValue(metric, report.value)}` +
      (report.threshold !== undefined
        ? ` (threshold ${formatValue(metric, report.threshold)})`
        : ''),
  ];
  if (report.summary) parts.push(report.summary);
  const evidence = Object.entries(report.evidence ?? {}).slice(0, EVIDENCE_IN_DETAIL);
  if (evidence.length > 0)
    parts.push(
      `evidence: ${evidence.map(([key, value]) => `${key}=${String(value).slice(0, EVIDENCE_VALUE_CHARS)}`).join(', ')}`,
    );
  if (report.dedup_key !== undefined) parts.push(`dedup key ${report.dedup_key}`);
  if (informational)
    parts.push('service locked for deliberate work: informational, no ticket, no remediation');
  return parts.join(' — ').slice(0, NOTE_MAX_LENGTH);
}

function resolvedNote(report: IncidentReportedEvent, open: FingerprintRecord): string {
  return (
    `${report.reporter} reports ${open.symptom} on ${open.service} resolved` +
    (report.dedup_key !== undefined ? ` (dedup key ${report.dedup_key})` : '') +
    (report.summary ? `: ${report.summary}` : '') +
    ' — recorded only: the crew verifies a fix with its own metrics'
  ).slice(0, NOTE_MAX_LENGTH);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

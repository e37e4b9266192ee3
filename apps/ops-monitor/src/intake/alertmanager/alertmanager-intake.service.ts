import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { type AlertmanagerIntakeConfig, type ServicesConfig } from '@opscrew/config';
import { SUBJECTS } from '@opscrew/contracts';
import { type EventPublisher } from '@opscrew/messaging';
import { EXTERNAL_PUBLISHER, MONITOR_CONFIG } from '../../ops-monitor.tokens';
import { OpsMonitorMetrics } from '../../telemetry/ops-monitor.metrics';
import { mapAlert, type Rejection } from './alertmanager-alert.mapper';
import { type AlertmanagerWebhookDto } from './alertmanager-webhook.dto';

/** What `POST /alerts/alertmanager` answers (Alertmanager ignores it; a human or a test reads it). */
export interface AlertmanagerAnswer {
  /** Alerts in the notification. */
  readonly received: number;
  /** Published as incident.reported and acked by JetStream. */
  readonly reported: number;
  /** Of those, already stored within the duplicate window (a retried notification). */
  readonly duplicates: number;
  /** Alerts that could not become a report, each with its reason. */
  readonly rejected: readonly Rejection[];
  /** Alerts Alertmanager itself left out (the receiver's max_alerts). */
  readonly truncated: number;
}

/** What the intake reads of the config (MONITOR_CONFIG): the receiver's settings, the services. */
export interface AlertmanagerIntakeSources {
  readonly integrations: { readonly alertmanager: AlertmanagerIntakeConfig };
  readonly services: ServicesConfig;
}

/**
 * Alertmanager's notifications in: each alert becomes one `incident.reported` (mapped by
 * `mapAlert`), published with a deterministic Nats-Msg-Id, and the answer goes back only
 * once JetStream acked every publish — so a 2xx means nothing is lost. If any publish fails,
 * the answer is a 503 and Alertmanager retries the whole notification; what was stored
 * already is dropped as a duplicate. Alerts that cannot be mapped are answered, logged and
 * counted, and still get a 2xx: retrying a notification would not make them mappable.
 */
@Injectable()
export class AlertmanagerIntake {
  private readonly logger = new Logger(AlertmanagerIntake.name);
  private readonly config: AlertmanagerIntakeConfig;
  private readonly services: ServicesConfig;

  constructor(
    @Inject(MONITOR_CONFIG) config: AlertmanagerIntakeSources,
    /** Source `external`: the report comes from outside the crew, ops-monitor only relays it. */
    @Inject(EXTERNAL_PUBLISHER) private readonly publisher: Pick<EventPublisher, 'publish'>,
    private readonly metrics: OpsMonitorMetrics,
  ) {
    this.config = config.integrations.alertmanager;
    this.services = config.services;
  }

  async receive(payload: AlertmanagerWebhookDto): Promise<AlertmanagerAnswer> {
    if (payload.truncatedAlerts > 0) {
      this.metrics.alertmanagerTruncated.inc(payload.truncatedAlerts);
      this.logger.warn(
        `alertmanager (${payload.receiver}): ${payload.truncatedAlerts} alert(s) of group ${payload.groupKey} ` +
          'were left out by the receiver’s max_alerts and never reached ops-monitor',
      );
    }
    const rejected: Rejection[] = [];
    const publishes: Promise<{ duplicate: boolean }>[] = [];
    for (const alert of payload.alerts) {
      const mapped = mapAlert(alert, payload, this.config, this.services);
      if (!mapped.ok) {
        rejected.push(mapped.rejection);
        this.metrics.alertmanagerAlerts.inc({ outcome: 'rejected', reason: mapped.rejection.code });
        this.logger.warn(
          `alertmanager: alert ${alert.fingerprint} (${alert.labels['alertname'] ?? 'no alertname'}) ` +
            `not reported: ${mapped.rejection.reason}`,
        );
        continue;
      }
      publishes.push(
        this.publisher.publish(SUBJECTS.incidentReported, mapped.report, { id: mapped.id }),
      );
    }
    const results = await Promise.allSettled(publishes);
    const failed = results.filter((result) => result.status === 'rejected');
    if (failed.length > 0) {
      const reason = (failed[0] as PromiseRejectedResult).reason as Error;
      throw new ServiceUnavailableException(
        `POST /alerts/alertmanager: ${failed.length} of ${publishes.length} report(s) not acknowledged by JetStream ` +
          `(${reason.message}); answer 503 so Alertmanager retries — reports already stored are deduplicated`,
      );
    }
    let duplicates = 0;
    for (const result of results) {
      if (result.status !== 'fulfilled') continue;
      if (result.value.duplicate) duplicates++;
      this.metrics.alertmanagerAlerts.inc({
        outcome: result.value.duplicate ? 'duplicate' : 'reported',
        reason: '',
      });
    }
    return {
      received: payload.alerts.length,
      reported: publishes.length,
      duplicates,
      rejected,
      truncated: payload.truncatedAlerts,
    };
  }
}

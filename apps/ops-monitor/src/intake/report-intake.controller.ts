import { Controller, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { type IncidentReportedEvent } from '@opscrew/contracts';
import { OnBusEvent, PermanentError } from '@opscrew/messaging';
import { OpsMonitorMetrics } from '../telemetry/ops-monitor.metrics';
import { ReportIntake } from './report-intake.service';

/**
 * ops-monitor's `ops-monitor-reports` handler on the JetStream transport: each `incident.reported` is
 * folded by ReportIntake, logged and counted. A refused report (unknown service or symptom)
 * is dead-lettered by the consumer with the reason; a failure of the bus or the buckets is
 * retried with backoff, never dropped.
 */
@Controller()
export class ReportIntakeController {
  private readonly logger = new Logger(ReportIntakeController.name);

  constructor(
    private readonly intake: ReportIntake,
    private readonly metrics: OpsMonitorMetrics,
  ) {}

  /** The topology acks the lifecycle subjects unread: only reports reach this handler. */
  @OnBusEvent('ops-monitor-reports')
  async take(@Payload() report: IncidentReportedEvent): Promise<void> {
    try {
      const result = await this.intake.take(report);
      this.metrics.reports.inc({ outcome: result.outcome });
      this.logger.log(
        `report ${report.id} from ${report.reporter}${report.dedup_key !== undefined ? ` (dedup key ${report.dedup_key})` : ''}: ` +
          `${result.fingerprint} ${report.status ?? 'firing'} → ${result.outcome}${result.incident_id ? ` ${result.incident_id}` : ''}`,
      );
    } catch (error) {
      if (error instanceof PermanentError) this.metrics.reports.inc({ outcome: 'refused' });
      throw error;
    }
  }
}

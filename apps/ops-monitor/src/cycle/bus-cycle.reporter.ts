import { Injectable } from '@nestjs/common';
import { HeartbeatService } from '@opscrew/agent-core';
import { reportSubject } from '@opscrew/contracts';
import { EventPublisher } from '@opscrew/messaging';
import { type DataQualityWarning } from '../detection/anomaly';
import { dataQualityReport } from './data-quality.report';
import { type CycleReporter } from './monitor-cycle.service';

/**
 * Where a detection cycle reports to in the app: each data-quality warning as a
 * `report.data-quality` event on the bus, and its end as the heartbeat's last cycle.
 */
@Injectable()
export class BusCycleReporter implements CycleReporter {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly heartbeat: HeartbeatService,
  ) {}

  async dataQuality(warning: DataQualityWarning): Promise<void> {
    await this.publisher.publish(reportSubject('data-quality'), dataQualityReport(warning));
  }

  beat(at: Date): void {
    this.heartbeat.reportCycle(at);
  }
}

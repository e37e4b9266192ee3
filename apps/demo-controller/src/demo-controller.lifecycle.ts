import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { LOAD_DRIVER, type LoadDriver } from '@opscrew/integrations';
import { type ConsumerHandle, EventConsumer } from '@opscrew/messaging';
import { LEARNING } from './demo-controller.tokens';
import { type LearningService } from './learning/learning.service';
import { WeeklyReportService } from './reports/weekly-report.service';
import { ScenarioRunner } from './scenarios/scenario.runner';

/**
 * Starts demo-controller's background work with the app (open runs picked up,
 * the three scoring consumers, the weekly report) and, on shutdown, ends a
 * running scenario properly before the bus closes: load stopped, flag off,
 * fault cleared, locks released.
 */
@Injectable()
export class DemoControllerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DemoControllerLifecycle.name);
  private readonly handles: ConsumerHandle[] = [];

  constructor(
    @Inject(LEARNING) private readonly learning: LearningService,
    private readonly runner: ScenarioRunner,
    private readonly consumer: EventConsumer,
    private readonly weekly: WeeklyReportService,
    @Inject(LOAD_DRIVER) private readonly load: LoadDriver,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.learning.start();
    this.handles.push(
      await this.consumer.consume('demo-controller-incidents', (event) =>
        this.learning.onIncidentEvent(event),
      ),
      await this.consumer.consume('demo-controller-remediations', (event) =>
        this.learning.onRemediationEvent(event),
      ),
      await this.consumer.consume('demo-controller-locks', (event) =>
        this.learning.onLockEvent(event),
      ),
    );
    this.weekly.start();
    this.logger.log(
      `scenarios: ${this.runner
        .list()
        .map((s) => s.name)
        .join(', ')}; load driver: ${this.load.kind}`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    const aborted = await this.runner.abort('demo-controller is shutting down');
    if (aborted) this.logger.log(`${aborted.run_id}: ended for shutdown (${aborted.outcome})`);
    this.weekly.stop();
    this.learning.stop();
    await Promise.all(this.handles.map((handle) => handle.stop()));
    await this.load.close();
  }
}

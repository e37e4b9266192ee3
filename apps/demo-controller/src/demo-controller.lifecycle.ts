import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { LOAD_DRIVER, type LoadDriver } from '@opscrew/integrations';
import { LearningService } from './learning/learning.service';
import { ScenarioRunner } from './scenarios/scenario.runner';

/**
 * Starts demo-controller's background work with the app (open runs picked up — the weekly
 * report is agent-core's ReportScheduler's; the three scoring consumers are ScoringController's, started by the JetStream
 * transport once this hook has run) and, on shutdown, ends a
 * running scenario properly before the bus closes: load stopped, flag off,
 * fault cleared, locks released.
 */
@Injectable()
export class DemoControllerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DemoControllerLifecycle.name);

  constructor(
    private readonly learning: LearningService,
    private readonly runner: ScenarioRunner,
    @Inject(LOAD_DRIVER) private readonly load: LoadDriver,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.learning.start();
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
    this.learning.stop();
    // The scoring consumers stop with EventConsumer (before shutdown) and the transport's close.
    await this.load.close();
  }
}

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { type EscalationService, type OutboxService } from '@opscrew/guardrails';
import { RemediationWorker } from './remediation/remediation.worker';
import { type RunbookCatalog } from './runbooks/runbook.catalog';
import { CATALOG, ESCALATION, OUTBOX } from './jira-resolver.tokens';

/**
 * How often active runs are advanced. One second: the shortest wait in a run
 * (a verification interval, a lock release) is seconds, and an idle tick is a
 * single KV listing.
 */
const WORKER_TICK_MS = 1000;
/** Escalation deadlines are minutes; a tick every 2 s pages within 2 s of one. */
const ESCALATION_TICK_MS = 2000;

/** Starts and stops jira-resolver's background workers with the app. */
@Injectable()
export class JiraResolverLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JiraResolverLifecycle.name);

  constructor(
    @Inject(OUTBOX) private readonly outbox: OutboxService,
    @Inject(ESCALATION) private readonly escalation: EscalationService,
    @Inject(CATALOG) private readonly catalog: RunbookCatalog,
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    private readonly worker: RemediationWorker,
  ) {}

  onApplicationBootstrap(): void {
    this.outbox.start();
    this.escalation.start(ESCALATION_TICK_MS);
    this.catalog.watch();
    this.worker.start(WORKER_TICK_MS);
    const agent = this.loaded.config.agents.get('jira-resolver');
    this.logger.log(
      `remediation in ${agent?.mode ?? 'act'} mode with runtime ${this.loaded.config.integrations.runtime.kind}; ` +
        `runbooks: ${[...this.catalog.runbooks.patterns.keys()].join(', ')}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.catalog.stop();
    await this.worker.stop();
    await this.escalation.stop();
    await this.outbox.stop();
  }
}

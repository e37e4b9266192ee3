import { errorMessage } from '@opscrew/contracts';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicTask } from '@opscrew/messaging';
import { type EscalationService, type OutboxService } from '@opscrew/guardrails';
import { RemediationWorker } from './remediation/remediation.worker';
import { type RunbookCatalog } from './runbooks/runbook.catalog';
import { TodoTicketPoller } from './tickets/todo-ticket.poller';
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
    @Inject(TodoTicketPoller) private readonly poller: TodoTicketPoller | null,
    scheduler: SchedulerRegistry,
  ) {
    this.pollTask = new PeriodicTask('todo-ticket-poll', scheduler, () => this.pollTickets(), {
      onError: (error) => this.logger.warn(`To Do ticket poll failed: ${errorMessage(error)}`),
    });
  }

  private readonly pollTask: PeriodicTask<void>;

  private async pollTickets(): Promise<void> {
    const taken = (await this.poller?.poll()) ?? [];
    if (taken.length > 0) {
      this.logger.log(`took To Do ticket(s): ${taken.join(', ')}`);
      await this.worker.kick();
    }
  }

  onApplicationBootstrap(): void {
    const agent = this.loaded.config.agents.get('jira-resolver');
    this.outbox.start();
    this.escalation.start(ESCALATION_TICK_MS);
    this.catalog.watch();
    this.worker.start(WORKER_TICK_MS);
    if (this.poller) this.pollTask.start((agent?.resolver?.ticket_poll_interval_s ?? 60) * 1000);
    this.logger.log(
      `remediation in ${agent?.mode ?? 'act'} mode with runtime ${this.loaded.config.integrations.runtime.kind}; ` +
        `runbooks: ${[...this.catalog.runbooks.patterns.keys()].join(', ')}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pollTask.stop();
    this.catalog.stop();
    await this.worker.stop();
    await this.escalation.stop();
    await this.outbox.stop();
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { type AgentName } from '@opscrew/contracts';
import { OutboxModule, OutboxService } from '@opscrew/guardrails';
import { type NotifierPort, type TrackerPort } from '@opscrew/ports';
import { AGENT_NOTICES } from './agent-notices';

/**
 * The notices path of an agent without an outbox worker of its own (atlas, demo-controller):
 * the shared `outbox` bucket, enqueue only. Items are delivered by the crew's running workers
 * (ops-monitor's and jira-resolver's), with the same idempotency, rate limits and storm folding
 * as their own; this agent never starts a worker, so its ports are never called — they refuse,
 * so a mistaken `start()` fails loudly instead of delivering through nothing.
 */
@Module({})
export class NoticeOutboxModule {
  static enqueueOnly(agent: AgentName): DynamicModule {
    return {
      module: NoticeOutboxModule,
      imports: [
        OutboxModule.forAgent(agent, {
          tracker: { useFactory: () => refusingTracker(agent) },
          notifier: { useFactory: () => refusingNotifier(agent) },
        }),
      ],
      providers: [{ provide: AGENT_NOTICES, useExisting: OutboxService }],
      exports: [AGENT_NOTICES],
    };
  }
}

function refusal(agent: AgentName): () => Promise<never> {
  return () =>
    Promise.reject(new Error(`${agent} only enqueues: another agent's outbox worker delivers`));
}

function refusingTracker(agent: AgentName): TrackerPort {
  const refuse = refusal(agent);
  return {
    kind: 'enqueue-only',
    findByIdempotencyKey: refuse,
    create: refuse,
    get: refuse,
    transition: refuse,
    comment: refuse,
    listByStatus: refuse,
  };
}

function refusingNotifier(agent: AgentName): NotifierPort {
  return { kind: 'enqueue-only', send: refusal(agent) };
}

import { type AgentName, type AgentRestartsRecord } from '@opscrew/contracts';
import { type TypedKv } from '@opscrew/messaging';
import { EMPTY_HISTORY, type RestartHistory } from './restart-loop.policy';

/** Where atlas keeps each agent's restart history. */
export interface RestartHistoryStore {
  get(agent: AgentName): Promise<RestartHistory>;
  put(agent: AgentName, history: RestartHistory): Promise<void>;
}

export const RESTART_HISTORY = Symbol('RESTART_HISTORY');

/**
 * The `lifecycle` bucket, one key per agent: the restart-loop window and "once per stale
 * episode" survive atlas's own restart (an atlas crash loop must not reset the count, nor
 * restart the same outage twice). Only atlas writes it, and one atlas runs, so a plain put.
 */
export class KvRestartHistoryStore implements RestartHistoryStore {
  constructor(private readonly kv: Pick<TypedKv<AgentRestartsRecord>, 'get' | 'put'>) {}

  async get(agent: AgentName): Promise<RestartHistory> {
    const entry = await this.kv.get(agent);
    if (entry === null) return EMPTY_HISTORY;
    const { restarts, last_episode, gave_up_at } = entry.value;
    return { restarts, last_episode, gave_up_at };
  }

  async put(agent: AgentName, history: RestartHistory): Promise<void> {
    await this.kv.put(agent, {
      agent,
      restarts: [...history.restarts],
      last_episode: history.last_episode,
      gave_up_at: history.gave_up_at,
    });
  }
}

/** Tests, and what a caller without a bus would use: forgotten when atlas exits. */
export class InMemoryRestartHistoryStore implements RestartHistoryStore {
  private readonly byAgent = new Map<AgentName, RestartHistory>();

  get(agent: AgentName): Promise<RestartHistory> {
    return Promise.resolve(this.byAgent.get(agent) ?? EMPTY_HISTORY);
  }

  put(agent: AgentName, history: RestartHistory): Promise<void> {
    this.byAgent.set(agent, history);
    return Promise.resolve();
  }
}

import { type LlmBudgetConfig, type OpscrewConfig } from '@opscrew/config';

export interface ModelPrice {
  readonly input_usd_per_mtok: number;
  readonly output_usd_per_mtok: number;
}

/** Everything the Anthropic adapter needs, resolved from `integrations.llm` and the guardrails. */
export interface LlmSettings {
  readonly model: string;
  readonly apiKey: string;
  /** Absent: the SDK's default endpoint. */
  readonly baseUrl?: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly toolCallsPerMinute: number;
  readonly toolTimeoutMs: number;
  /** `guardrails.rate_limits.llm_calls_per_hour`. */
  readonly modelCallsPerHour: number;
  readonly budgets: Readonly<LlmBudgetConfig>;
  readonly prices: ReadonlyMap<string, ModelPrice>;
}

/**
 * The model settings, or null when the crew has no key (no `integrations.llm`,
 * or one without `api_key`): the caller then uses the rules adapter.
 */
export function llmSettingsFromConfig(config: OpscrewConfig): LlmSettings | null {
  const llm = config.integrations.llm;
  if (!llm?.api_key) return null;
  return {
    model: llm.model,
    apiKey: llm.api_key,
    ...(llm.base_url !== undefined ? { baseUrl: llm.base_url } : {}),
    timeoutMs: llm.timeout_ms,
    maxRetries: llm.max_retries,
    toolCallsPerMinute: llm.tool_calls_per_minute,
    toolTimeoutMs: llm.tool_timeout_ms,
    modelCallsPerHour: config.thresholds.guardrails.rate_limits.llm_calls_per_hour,
    budgets: llm.budgets,
    prices: llm.prices,
  };
}

/** `agents.<name>.tools` for every agent: the whitelists the tool loop enforces. */
export function toolWhitelistsFromConfig(
  config: OpscrewConfig,
): ReadonlyMap<string, readonly string[]> {
  return new Map([...config.agents].map(([name, agent]) => [name, [...agent.tools]]));
}

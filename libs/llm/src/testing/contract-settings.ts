import { type LlmSettings } from '../llm-settings';

/** The model the contract server is asked for, with a price so cost budgets are exercised. */
export const CONTRACT_MODEL = 'claude-sonnet-5-5';

/**
 * Settings for an AnthropicLlmClient pointed at an AnthropicContractServer:
 * small retries and timeouts so a failing test fails fast, budgets generous
 * unless a test narrows them.
 */
export function contractLlmSettings(
  baseUrl: string,
  budgets: Partial<LlmSettings['budgets']> = {},
): LlmSettings {
  return {
    model: CONTRACT_MODEL,
    apiKey: 'test-contract-key',
    baseUrl,
    timeoutMs: 10_000,
    maxRetries: 2,
    toolCallsPerMinute: 30,
    toolTimeoutMs: 5_000,
    modelCallsPerHour: 120,
    budgets: {
      max_tokens_per_call: 1024,
      max_turns: 6,
      max_tokens_per_incident: 100_000,
      max_cost_usd_per_incident: 1,
      run_timeout_ms: 30_000,
      ...budgets,
    },
    prices: new Map([[CONTRACT_MODEL, { input_usd_per_mtok: 2, output_usd_per_mtok: 10 }]]),
  };
}

import { Factor, Int, Ms, Nested, NestedMap, OneOf, Str, Url } from './validators';

export const LLM_PROVIDERS = ['anthropic'] as const;

/**
 * A current Claude model id (SDK 1.13's list). Sonnet: the crew's reasoning is
 * short triage and strict-JSON proposals, where the larger models cost more
 * without changing the answer.
 */
export const DEFAULT_LLM_MODEL = 'claude-sonnet-5-5';

/** Model ids as the Messages API spells them (`claude-sonnet-5-5`, `claude-haiku-4-5-20251001`). */
export const MODEL_ID_PATTERN = /^[a-z0-9][a-z0-9.-]{0,99}$/;

/** USD per million tokens, as Anthropic's pricing page lists them. */
export class LlmPriceConfig {
  @Factor({ min: 0 }) input_usd_per_mtok!: number;
  @Factor({ min: 0 }) output_usd_per_mtok!: number;
}

/**
 * What one incident may cost (OWASP LLM10, unbounded consumption). Tokens and
 * dollars add up across every run for the same incident id; turns and the
 * deadline are per run.
 */
export class LlmBudgetConfig {
  /** `max_tokens` of each call: a triage answer or a JSON proposal fits in far less. */
  @Int({ optional: true, min: 1, max: 64_000 }) max_tokens_per_call: number = 2048;
  /** Model calls in one tool loop: a loop that has not converged in 8 turns is looping. */
  @Int({ optional: true, min: 1, max: 50 }) max_turns: number = 8;
  /** Input + output tokens for one incident, over all its runs. */
  @Int({ optional: true, min: 1, max: 10_000_000 }) max_tokens_per_incident: number = 200_000;
  /** Dollars for one incident, over all its runs (priced with `prices`). */
  @Factor({ optional: true, min: 0 }) max_cost_usd_per_incident: number = 1;
  /** Wall clock of one run, retries and their Retry-After waits included. */
  @Ms({ optional: true }) run_timeout_ms: number = 120_000;
}

/**
 * The crew's model (`integrations.llm`). Absent, or without `api_key`: the
 * deterministic rules and templates answer instead (the embedded default), so
 * `${ANTHROPIC_API_KEY}` is referenced only by production/llm.json5.
 */
export class LlmConfig {
  @OneOf(LLM_PROVIDERS, { optional: true }) provider: (typeof LLM_PROVIDERS)[number] = 'anthropic';
  @Str({
    optional: true,
    pattern: MODEL_ID_PATTERN,
    hint: 'must be a model id like claude-sonnet-5-5',
  })
  model: string = DEFAULT_LLM_MODEL;
  /** The credential (from ${ANTHROPIC_API_KEY}); absent: the rules adapter is used. */
  @Str({ optional: true }) api_key?: string;
  /** Another Messages API endpoint (a proxy, or the contract server in tests). */
  @Url({ optional: true }) base_url?: string;
  /** One model call, per attempt: a non-streaming answer of max_tokens_per_call fits well inside. */
  @Ms({ optional: true }) timeout_ms: number = 60_000;
  /**
   * Retries of 408/409/429/5xx/529 by the SDK itself: exponential backoff
   * (0.5 s doubling to 8 s, jittered) that honours `retry-after` and
   * `retry-after-ms`. The run deadline bounds the total.
   */
  @Int({ optional: true, min: 0, max: 10 }) max_retries: number = 3;
  /** Tool calls the model may make per minute, all runs of this process together. */
  @Int({ optional: true, min: 1, max: 10_000 }) tool_calls_per_minute: number = 30;
  /** One tool call (in-process or MCP) before it is reported to the model as failed. */
  @Ms({ optional: true }) tool_timeout_ms: number = 15_000;
  @Nested(() => LlmBudgetConfig, { optional: true }) budgets: LlmBudgetConfig =
    new LlmBudgetConfig();
  /** Keyed by model id; the configured model must have an entry (its cost budget needs it). */
  @NestedMap(() => LlmPriceConfig, {
    optional: true,
    keyPattern: MODEL_ID_PATTERN,
    keyHint: 'must be a model id like claude-sonnet-5-5',
  })
  prices: Map<string, LlmPriceConfig> = new Map();
}

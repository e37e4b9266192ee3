import { type ModelPrice } from './llm-settings';

/** Tokens of one call as the Messages API reports them. */
export interface TokenUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
}

const PER_MTOK = 1_000_000;

/** Input tokens, cache writes and reads included: the budget errs on the side of spending less. */
export function inputTokensOf(usage: TokenUsage): number {
  return (
    usage.input_tokens +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0)
  );
}

/** Dollars of one call; cache reads are priced as input (an overestimate, on purpose). */
export function costUsd(usage: TokenUsage, price: ModelPrice): number {
  return (
    (inputTokensOf(usage) * price.input_usd_per_mtok +
      usage.output_tokens * price.output_usd_per_mtok) /
    PER_MTOK
  );
}

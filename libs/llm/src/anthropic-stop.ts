import type Anthropic from '@anthropic-ai/sdk';
import { errorMessage } from '@opscrew/contracts';
import { type AnthropicErrorClasses } from './anthropic-sdk.loader';
import { type LlmStopReason } from './llm-client.port';

/** The run's stop for the stop_reason the Messages API answered with. */
export function modelStop(reason: Anthropic.StopReason | null): [LlmStopReason, string] {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return ['end_turn', `model finished (${reason})`];
    case 'max_tokens':
      return ['max_tokens', 'the answer was cut at budgets.max_tokens_per_call'];
    case 'refusal':
      return ['refusal', 'the model declined'];
    default:
      return ['model_stopped', `model stopped: ${String(reason)}`];
  }
}

/** The run's stop for a failed model call: the deadline, a timeout, or the API's own error. */
export function classifyFailure(
  err: unknown,
  deadline: AbortSignal,
  runTimeoutMs: number,
  maxRetries: number,
  /** The loaded SDK's classes (it is loaded lazily: see anthropic-sdk.loader.ts). */
  errors: AnthropicErrorClasses,
): { stop: LlmStopReason; detail: string } {
  const { APIConnectionTimeoutError, APIError, APIUserAbortError } = errors;
  if (err instanceof APIUserAbortError || deadline.aborted) {
    return {
      stop: 'timeout',
      detail: `run exceeded budgets.run_timeout_ms ${runTimeoutMs} ms (retries included)`,
    };
  }
  if (err instanceof APIConnectionTimeoutError) {
    return {
      stop: 'timeout',
      detail: `model call exceeded timeout_ms, ${maxRetries} retries included`,
    };
  }
  if (err instanceof APIError) {
    const body = err.error as { error?: { type?: unknown; message?: unknown } } | undefined;
    const type = typeof body?.error?.type === 'string' ? body.error.type : 'error';
    const message = typeof body?.error?.message === 'string' ? body.error.message : err.message;
    const retried =
      err.status === 429 || (err.status ?? 0) >= 500 ? ` after ${maxRetries} retries` : '';
    return {
      stop: 'error',
      detail: `anthropic ${err.status ?? '-'} ${type}${retried}: ${message}`,
    };
  }
  return { stop: 'error', detail: `anthropic call failed: ${errorMessage(err)}` };
}

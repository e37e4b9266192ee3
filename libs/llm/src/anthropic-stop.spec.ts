import * as sdk from '@anthropic-ai/sdk';
import { APIConnectionTimeoutError, APIUserAbortError } from '@anthropic-ai/sdk';
import { classifyFailure, modelStop } from './anthropic-stop';

describe('modelStop', () => {
  it.each([
    ['end_turn', 'end_turn'],
    ['stop_sequence', 'end_turn'],
    ['max_tokens', 'max_tokens'],
    ['refusal', 'refusal'],
    ['pause_turn', 'model_stopped'],
  ] as const)('reads %s as %s', (reason, stop) => {
    expect(modelStop(reason)[0]).toBe(stop);
  });
});

describe('classifyFailure', () => {
  const live = new AbortController().signal;

  it('is a timeout when the run deadline aborted the call, or the call itself timed out', () => {
    expect(classifyFailure(new APIUserAbortError(), live, 500, 2, sdk)).toEqual({
      stop: 'timeout',
      detail: 'run exceeded budgets.run_timeout_ms 500 ms (retries included)',
    });
    expect(classifyFailure(new APIConnectionTimeoutError(), live, 500, 2, sdk).detail).toBe(
      'model call exceeded timeout_ms, 2 retries included',
    );
  });

  it('is an error with the message of anything else thrown', () => {
    expect(classifyFailure(new Error('socket hang up'), live, 500, 2, sdk)).toEqual({
      stop: 'error',
      detail: 'anthropic call failed: socket hang up',
    });
    expect(classifyFailure('odd', live, 500, 2, sdk).detail).toBe('anthropic call failed: odd');
  });
});

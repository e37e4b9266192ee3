import type * as AnthropicSdk from '@anthropic-ai/sdk';

export type AnthropicSdkModule = typeof AnthropicSdk;

/** The SDK's error classes a failed model call is classified by (anthropic-stop.ts). */
export type AnthropicErrorClasses = Pick<
  AnthropicSdkModule,
  'APIError' | 'APIConnectionTimeoutError' | 'APIUserAbortError'
>;

let loading: Promise<AnthropicSdkModule> | undefined;

/**
 * The Anthropic SDK, loaded on the first model call rather than when an agent starts: it and
 * what it pulls in (OpenTelemetry, its tool runners) are the largest import of every agent,
 * half a second of a start on a loaded host, and most runs make no model call at all.
 */
export function loadAnthropicSdk(): Promise<AnthropicSdkModule> {
  loading ??= import('@anthropic-ai/sdk');
  return loading;
}

import type Anthropic from '@anthropic-ai/sdk';
import { scrubSecrets } from '@opscrew/contracts';

/**
 * What the model reads is text that leaves the process (to the API, its logs
 * and any provider-side retention): the user turns (evidence, incident facts)
 * and every tool result are scrubbed of secrets before each request. The
 * model's own turns are sent back untouched (tool_use ids and thinking
 * signatures must round-trip byte for byte), and they only ever hold what it
 * was given.
 */
export function scrubModelText(text: string): string {
  return scrubSecrets(text);
}

/** A tool result with its text scrubbed (string content or text blocks; images as they are). */
export function scrubToolResult(
  block: Anthropic.ToolResultBlockParam,
): Anthropic.ToolResultBlockParam {
  const { content } = block;
  if (typeof content === 'string') return { ...block, content: scrubSecrets(content) };
  if (!Array.isArray(content)) return block;
  return {
    ...block,
    content: content.map((part) =>
      part.type === 'text' ? { ...part, text: scrubSecrets(part.text) } : part,
    ),
  };
}

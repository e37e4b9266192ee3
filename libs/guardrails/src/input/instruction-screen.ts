import { hasEncodedText } from './encoded-text';
import { FENCE_WEIGHT, FLAG_AT, ruleWeights, type ScreenFinding } from './screen-rules';
import { screenSample, screenViews } from './screen-views';

export type { ScreenFinding } from './screen-rules';

/**
 * Security layer 6 (input): text that comes from the watched system — log
 * lines, metric labels, trace attributes, ticket summaries, chat — is data.
 * This screen flags text that LOOKS like it is trying to be more than data
 * (instructions to a model, dictated replies, requests for the hidden prompt,
 * fake turn boundaries, chat-template markers, shell or exfiltration
 * payloads, hidden characters), so the audit trail shows where hostile input
 * reached the crew. It is ADVISORY: it never decides anything. Flagged text
 * is still only data, matched by code and wrapped before a model sees it;
 * policy in code stops actions.
 *
 * The text is normalised first (screen-views.ts), then weighted rules add up
 * (screen-rules.ts); figures on public corpora, tuning and held-out, are in
 * bench/instruction-screen.bench.ts.
 */
export interface ScreenResult {
  readonly flagged: boolean;
  /** The kinds that made it flag, in rule order; empty when not flagged. */
  readonly findings: readonly ScreenFinding[];
}

const ORDER: readonly ScreenFinding[] = [
  'instruction_override',
  'output_forcing',
  'prompt_leak',
  'role_play',
  'fake_boundary',
  'chat_template',
  'tool_request',
  'shell_payload',
  'script_or_exfiltration',
  'hidden_characters',
  'encoded_blob',
];

/** Screens one text (its head and tail when long); the findings are distinct and in rule order. */
export function screenText(text: string): ScreenResult {
  const views = screenViews(text);
  const weights = ruleWeights(views);
  if (views.hidden) weights.set('hidden_characters', FLAG_AT);
  if (views.fence) weights.set('fake_boundary', (weights.get('fake_boundary') ?? 0) + FENCE_WEIGHT);
  // Base64 is case-sensitive: the blob check reads the sample as written.
  if (hasEncodedText(screenSample(String(text)))) weights.set('encoded_blob', FLAG_AT);
  let total = 0;
  for (const weight of weights.values()) total += weight;
  if (total < FLAG_AT) return { flagged: false, findings: [] };
  return { flagged: true, findings: ORDER.filter((finding) => weights.has(finding)) };
}

import { hasEncodedText } from './encoded-text';
import { FENCE_WEIGHT, FLAG_AT, ruleWeights, type ScreenFinding } from './screen-rules';
import { hasFence, screenSample, screenViews } from './screen-views';

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
  const weights = ruleWeights(views, true, true);
  if (views.hidden) weights.set('hidden_characters', FLAG_AT);
  // Base64 is case-sensitive: the blob check reads the sample as written.
  const encoded = hasEncodedText(screenSample(String(text)));
  // The fence only adds FENCE_WEIGHT: when even that cannot reach FLAG_AT the text is unflagged with
  // or without it, and most texts skip the scan. Otherwise the weights add up as they always did.
  if (sum(weights) + (encoded ? FLAG_AT : 0) < FLAG_AT - FENCE_WEIGHT - ROUNDING) {
    return { flagged: false, findings: [] };
  }
  if (hasFence(views.folded)) {
    weights.set('fake_boundary', (weights.get('fake_boundary') ?? 0) + FENCE_WEIGHT);
  }
  if (encoded) weights.set('encoded_blob', FLAG_AT);
  if (sum(weights) < FLAG_AT) return { flagged: false, findings: [] };
  return { flagged: true, findings: ORDER.filter((finding) => weights.has(finding)) };
}

/** Far above the rounding of a sum of a few weights, far below any weight. */
const ROUNDING = 1e-9;

function sum(weights: ReadonlyMap<ScreenFinding, number>): number {
  let total = 0;
  for (const weight of weights.values()) total += weight;
  return total;
}

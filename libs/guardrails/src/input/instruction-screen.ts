/**
 * Security layer 6 (input): text that comes from the watched system — log
 * lines, metric labels, trace attributes, ticket summaries, chat — is data.
 * This screen flags text that LOOKS like it is trying to be more than data
 * (instructions to a model, chat-template markers, shell or exfiltration
 * payloads, hidden characters), so the audit trail shows where hostile input
 * reached the crew. It never decides anything: flagged text is still only
 * data, matched by code and wrapped before a model sees it. Ordinary
 * imperative sentences ("Write a recipe…") are not flagged: the goal is an
 * audit signal an operator can act on, not a noisy word filter.
 */

export type ScreenFinding =
  | 'instruction_override'
  | 'role_play'
  | 'chat_template'
  | 'tool_request'
  | 'shell_payload'
  | 'script_or_exfiltration'
  | 'hidden_characters'
  | 'encoded_blob';

export interface ScreenResult {
  readonly flagged: boolean;
  readonly findings: readonly ScreenFinding[];
}

/** Longer text is screened on its head and tail: a payload buried mid-megabyte is still data. */
const SCREEN_MAX_CHARS = 64 * 1024;

const RULES: ReadonlyArray<readonly [ScreenFinding, RegExp]> = [
  [
    'instruction_override',
    /\b(ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}\b(previous|prior|above|earlier|all|any|your|the)\b[^.\n]{0,30}\b(instructions?|prompts?|rules|guidelines|directives|system)\b/i,
  ],
  [
    'instruction_override',
    /\b(new|updated|real|actual)\s+(instructions?|system\s+prompt|directives?)\s*[:-]/i,
  ],
  [
    'role_play',
    /\b(you are now|from now on,? you|act as (an?|the) |pretend (to be|you are)|developer mode|jailbreak|DAN mode)\b/i,
  ],
  [
    'chat_template',
    /(<\|im_(start|end)\|>|<\|(system|user|assistant|endoftext)\|>|\[\/?INST\]|<<\/?SYS>>|^\s*(system|assistant)\s*:|\n\n(Human|Assistant):|<\/?(system|instructions?)>)/im,
  ],
  [
    'tool_request',
    /\b(call|invoke|use|run|execute)\b[^.\n]{0,20}\b(the\s+)?(tool|function|command)\b|"(tool_use|tool_call|function_call)"|\b(runtime_(restart|exec)|docker\s+(rm|exec|kill|stop|run)|kubectl\s+(delete|exec))\b/i,
  ],
  [
    'shell_payload',
    /(\$\([^)]{1,200}\)|`[^`\n]{1,200}`|;\s*(rm|curl|wget|sh|bash|nc|chmod)\b|\|\s*(sh|bash)\b|\brm\s+-[rf]{1,2}\b|@\{\[\s*system|\beval\s*\(|\bsystem\s*\(|\bexec\s*\()/i,
  ],
  [
    'script_or_exfiltration',
    /(<\s*script\b|javascript\s*:|data\s*:\s*text\/html|\bon(error|load|click|mouseover)\s*=|!\[[^\]]*\]\(\s*https?:|<\s*(iframe|img|svg|object|embed)\b|<\s*a\b[^>]*\bhref\s*=|\b(alert|prompt|confirm)\s*\(\s*(1|document)|document\.cookie)/i,
  ],
  // Zero-width, bidi overrides and tags: text that shows one thing and says another.
  [
    'hidden_characters',
    /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\u{e0000}-\u{e007f}]/u,
  ],
  ['encoded_blob', /[A-Za-z0-9+/]{120,}={0,2}/],
];

/** Screens one text; the findings are distinct and in rule order. */
export function screenText(text: string): ScreenResult {
  const head =
    text.length > SCREEN_MAX_CHARS
      ? `${text.slice(0, SCREEN_MAX_CHARS / 2)}\n${text.slice(-SCREEN_MAX_CHARS / 2)}`
      : text;
  // Entity-encoded markup renders as markup wherever it is shown: screen it decoded too.
  const sample = `${head}\n${decodeEntities(head)}`;
  const findings: ScreenFinding[] = [];
  for (const [finding, pattern] of RULES) {
    if (!findings.includes(finding) && pattern.test(sample)) findings.push(finding);
  }
  return { flagged: findings.length > 0, findings };
}

/** The HTML character references attackers use to slip markup past filters. */
function decodeEntities(text: string): string {
  const named: Readonly<Record<string, string>> = {
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    amp: '&',
    colon: ':',
    sol: '/',
  };
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});?/gi, (match, ref: string) => {
    const lower = ref.toLowerCase();
    const code = lower.startsWith('#x')
      ? parseInt(lower.slice(2), 16)
      : lower.startsWith('#')
        ? parseInt(lower.slice(1), 10)
        : undefined;
    if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : match;
    return named[lower] ?? match;
  });
}

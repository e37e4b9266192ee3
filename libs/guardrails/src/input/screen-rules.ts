import { AnchorWords } from './anchor-words';
import { type ScreenViews } from './screen-views';

/** What a rule saw; a screen result names the kinds that made it flag. */
export type ScreenFinding =
  | 'instruction_override'
  | 'output_forcing'
  | 'prompt_leak'
  | 'role_play'
  | 'fake_boundary'
  | 'chat_template'
  | 'tool_request'
  | 'shell_payload'
  | 'script_or_exfiltration'
  | 'hidden_characters'
  | 'encoded_blob';

/**
 * One weighted signal. A text is flagged when the weights of the rules it
 * matches add up to 1 (each rule counts once): a strong signal (an override of
 * earlier instructions, a chat-template token, a script tag) flags alone, a
 * weak one (a persona sentence, a symbol fence, "access granted") only with
 * another. Every pattern uses bounded quantifiers only, so each match attempt
 * reads a bounded number of characters and a rule is linear in the text
 * (screen-rules.spec.ts checks the sources).
 */
export interface ScreenRule {
  readonly finding: ScreenFinding;
  readonly weight: number;
  readonly view: 'folded' | 'words';
  readonly pattern: RegExp;
  /**
   * Words at least one of which every match contains: when none is in the
   * text the pattern is not run (most log lines hold none, so most rules cost
   * a set lookup). Omitted: the pattern always runs.
   */
  readonly anyOf?: readonly string[];
  /** A second anchor list, when every match holds a word of each (a verb and a noun). */
  readonly andAnyOf?: readonly string[];
  /**
   * For markup rules, which read `folded` and have no anchor words: strings at
   * least one of which every match contains; when none is in the view the
   * pattern is not run (a substring search is far cheaper than the pattern).
   */
  readonly needs?: readonly string[];
}

/** Up to `n` more words between two words of a phrase (the `words` view: one space between words). */
const gap = (n: number): string => `(?:[^ ]{1,40} ){0,${n}}`;
const word = (alternatives: string): RegExp => new RegExp(` (?:${alternatives}) `);

const OVERRIDE_VERB =
  '(?:ignore|ignoring|disregard|disregarding|forget|forgetting|override|overriding|bypass|discard|neglect|abandon|dismiss|skip|nevermind|never mind|stop following|do not follow|don t follow|dont follow|cease following)';
const INSTRUCTION_NOUN =
  '(?:instructions?|prompts?|directives?|guidelines?|rules?|programming|commands?|orders?|guidance|directions|constraints|restrictions|policies|system message|preprompt|pre prompt)';
const EARLIER =
  '(?:previous|previously|prior|above|earlier|preceding|past|old|original|initial|former|foregoing|first|all|any|every|your|these|those|the|my|following|other|existing|given|said|system|safety)';
const OUTPUT_VERB =
  '(?:say|says|saying|print|output|write|type|reply|respond|answer|return|repeat|echo|state|display|produce|generate|utter|spell|shout|declare|give)';
const RESPONSE = '(?:response|responses|reply|replies|answer|answers|output|message|completion)';
const LEAK_VERB =
  '(?:repeat|print|show|reveal|output|display|tell|list|share|give|write|dump|recite|paste|copy|quote|spell check|spellcheck|summarize|summarise|translate|encode|explain|describe|disclose|leak|expose|provide|what are|what were|what is|what was)';
const SECRET_NOUN =
  '(?:instructions?|prompts?|system prompt|pre ?prompt|preprompt|rules|guidelines|directives|password|passcode|passphrase|access code|secret|secret key|system message)';
const PERSONA =
  '(?:you are now|you re now|from now on|act as (?:a|an|the|my|if)|acting as|pretend (?:to be|you are|you re|that)|roleplay|role play|you will (?:now )?(?:act|play|be|respond|answer|pretend)|you are (?:going|about) to (?:act|play|be|pretend|immerse)|stay in character|developer mode|dan mode|do anything now|jailbreak|jailbroken|unfiltered|uncensored|(?:no longer|not) (?:bound|restricted|limited) by|without (?:any )?(?:restrictions|filters|limitations|censorship|rules)|free (?:of|from) (?:the )?(?:typical )?(?:confines|restrictions|rules)|(?:simulate|emulate) (?:a|an)|immerse yourself|in this hypothetical|opposite mode|evil (?:ai|assistant|bot)|(?:your|the) new (?:role|persona|identity|name) is)';

/** Every token INSTRUCTION_NOUN can match (the anchors of the rules that use it). */
const INSTRUCTION_WORDS = [
  'instruction',
  'instructions',
  'prompt',
  'prompts',
  'directive',
  'directives',
  'guideline',
  'guidelines',
  'rule',
  'rules',
  'programming',
  'command',
  'commands',
  'order',
  'orders',
  'guidance',
  'directions',
  'constraints',
  'restrictions',
  'policies',
  'message',
  'preprompt',
  'pre',
];
const OVERRIDE_WORDS = [
  'ignore',
  'ignoring',
  'disregard',
  'disregarding',
  'forget',
  'forgetting',
  'override',
  'overriding',
  'bypass',
  'discard',
  'neglect',
  'abandon',
  'dismiss',
  'skip',
  'nevermind',
  'never',
  'stop',
  'do',
  'don',
  'dont',
  'cease',
];
const OUTPUT_WORDS = [
  'say',
  'says',
  'saying',
  'print',
  'output',
  'write',
  'type',
  'reply',
  'respond',
  'answer',
  'return',
  'repeat',
  'echo',
  'state',
  'display',
  'produce',
  'generate',
  'utter',
  'spell',
  'shout',
  'declare',
  'give',
];
const RESPONSE_WORDS = [
  'response',
  'responses',
  'reply',
  'replies',
  'answer',
  'answers',
  'output',
  'message',
  'completion',
];
const SECRET_WORDS = [
  'instruction',
  'instructions',
  'prompt',
  'prompts',
  'pre',
  'preprompt',
  'rules',
  'guidelines',
  'directives',
  'password',
  'passcode',
  'passphrase',
  'code',
  'secret',
  'message',
];
const PERSONA_WORDS = [
  'now',
  'act',
  'acting',
  'pretend',
  'roleplay',
  'role',
  'will',
  'going',
  'about',
  'character',
  'mode',
  'anything',
  'jailbreak',
  'jailbroken',
  'unfiltered',
  'uncensored',
  'bound',
  'restricted',
  'limited',
  'restrictions',
  'filters',
  'limitations',
  'censorship',
  'rules',
  'confines',
  'simulate',
  'emulate',
  'immerse',
  'hypothetical',
  'evil',
  'persona',
  'identity',
  'name',
  'yourself',
];

export const RULES: readonly ScreenRule[] = [
  // Override: a verb that throws away earlier instructions, aimed at them.
  {
    finding: 'instruction_override',
    weight: 1,
    view: 'words',
    pattern: new RegExp(` ${OVERRIDE_VERB} ${gap(2)}${EARLIER} ${gap(4)}${INSTRUCTION_NOUN} `),
    anyOf: INSTRUCTION_WORDS,
    andAnyOf: OVERRIDE_WORDS,
  },
  {
    finding: 'instruction_override',
    weight: 1,
    view: 'words',
    pattern: word(
      '(?:forget|ignore|disregard) (?:about )?(?:everything|anything|all that|all of that|all this|what)(?: [^ ]{1,40}){0,3} (?:said|told|above|before|previously|earlier|instructed|learned|know)|forget everything|ignore everything|ignore all (?:that|this|of the above)',
    ),
    anyOf: ['forget', 'ignore', 'disregard'],
  },
  {
    finding: 'instruction_override',
    weight: 1,
    view: 'words',
    pattern: word(
      `(?:new|updated|real|actual|true|revised|overriding|additional|secret|hidden|special) (?:system )?${INSTRUCTION_NOUN}(?: [^ ]{1,40}){0,2} (?:are|is|follow|below|as follows|take precedence|supersede)|(?:these|the following|my) ${INSTRUCTION_NOUN} (?:take precedence|supersede|override|replace)|(?:instructions?|rules|prompt) (?:have|has) (?:changed|been updated|been changed)|stop everything|change of (?:plans?|instructions)`,
    ),
    anyOf: [...INSTRUCTION_WORDS, 'everything', 'change'],
  },
  {
    finding: 'instruction_override',
    weight: 0.4,
    view: 'words',
    pattern: word(
      'nevermind|never mind|instead of (?:that|this|the above)|disregard|ignore the|ignore any|ignore all|scratch that|on second thought',
    ),
    anyOf: ['nevermind', 'never', 'instead', 'disregard', 'ignore', 'scratch', 'second'],
  },
  // Output forcing: the attacker dictates the exact words of the reply.
  {
    finding: 'output_forcing',
    weight: 0.6,
    view: 'words',
    pattern: new RegExp(
      ` ${OUTPUT_VERB} ${gap(4)}(?:exactly|only|just|verbatim|precisely|nothing but|the words?|the phrase|the string|the sentence|word for word|literally|as follows) `,
    ),
    anyOf: OUTPUT_WORDS,
  },
  {
    finding: 'output_forcing',
    weight: 0.7,
    view: 'words',
    pattern: new RegExp(
      ` (?:begin|start|prefix|preface|open|lead|end|finish|conclude|precede) (?:your|the|each|every|all|any) (?:[^ ]{1,40} )?${RESPONSE} (?:with|by|using)|(?:your|the|each|every) (?:[^ ]{1,40} )?${RESPONSE} (?:must|should|shall|will|has to|needs to|have to|is to|can only|may only) (?:only )?(?:be|start|begin|contain|include|say|read|consist|end) `,
    ),
    anyOf: RESPONSE_WORDS,
  },
  {
    finding: 'output_forcing',
    weight: 0.6,
    view: 'words',
    pattern: word(
      `(?:do not|don t|dont|never) (?:say|write|output|print|include|add|reply|respond|type|explain|mention)(?: [^ ]{1,40}){0,1} (?:anything|any|other|more|additional|further|extra) (?:else|other|more|words|text|than)|nothing else|no other (?:words|text|output)|only (?:say|print|output|respond|reply|answer|write|type)|(?:respond|reply|answer) (?:only )?with (?:only |just |exactly |the )?(?:the )?(?:word|words|phrase|text|string|sentence)`,
    ),
    anyOf: [
      'else',
      'other',
      'more',
      'words',
      'text',
      'than',
      'only',
      'word',
      'phrase',
      'string',
      'sentence',
    ],
  },
  {
    finding: 'output_forcing',
    weight: 0.5,
    view: 'folded',
    pattern:
      /\b(?:say|print|output|type|write|respond with|reply with|answer with|return|repeat|echo|state|display|prepend|append|print out)(?: (?:exactly|only|just|back|out|the words?|the phrase|the text|the string|the following|this|verbatim))?[:,]? ?\(? ?["'“‘«`[]/,
    anyOf: [...OUTPUT_WORDS, 'prepend', 'append'],
  },
  {
    finding: 'output_forcing',
    weight: 0.7,
    view: 'words',
    pattern: word('access granted'),
    anyOf: ['granted'],
  },
  {
    finding: 'output_forcing',
    weight: 0.3,
    view: 'words',
    pattern: word(
      '(?:password|passcode|access code|passphrase) (?:is|was) (?:correct|right|valid|accepted)|correct password|(?:the|my) password is|access denied',
    ),
    anyOf: ['password', 'passcode', 'passphrase', 'code', 'correct', 'denied'],
  },
  // Prompt leak: asking for the hidden instructions or the secret.
  {
    finding: 'prompt_leak',
    weight: 1,
    view: 'words',
    pattern: new RegExp(
      ` ${LEAK_VERB} ${gap(4)}(?:your|the|above|previous|prior|initial|original|hidden|secret|system|preceding|starting|full|entire|first|complete|whole|my|these|those|all) ${gap(2)}${SECRET_NOUN} `,
    ),
    anyOf: SECRET_WORDS,
  },
  {
    finding: 'prompt_leak',
    weight: 0.8,
    view: 'words',
    pattern: new RegExp(
      ` ${LEAK_VERB} ${gap(4)}(?:(?:the|this|your) )?(?:(?:above|entire|whole|previous|prior|preceding|full|earlier|initial|original) (?:text|conversation|words|content|messages?|transcript|prompt|input|context)|(?:text|conversation|words|content|messages?|transcript|everything) (?:above|so far|before|you were|you ve been|you have been|i gave you|given to you))`,
    ),
    anyOf: [
      'text',
      'conversation',
      'words',
      'content',
      'message',
      'messages',
      'transcript',
      'prompt',
      'input',
      'context',
      'everything',
    ],
  },
  {
    finding: 'prompt_leak',
    weight: 0.5,
    view: 'words',
    pattern: word(
      `system prompt|systemprompt|pre ?prompt|preprompt|initial prompt|(?:were|have) you (?:been )?(?:told|instructed|given|programmed)|before (?:this|the) conversation|(?:above|previous|prior|preceding|earlier) (?:text|conversation|instructions|prompt|message|content|words|input)|(?:instructions|prompt|text|everything|words) (?:above|so far|before this)|(?:you were|you ve been|you have been|i was) (?:told|instructed|given|programmed)|(?:your|the) (?:initial|original|hidden|secret|starting) (?:instructions|prompt|configuration|rules)`,
    ),
    anyOf: [
      'prompt',
      'systemprompt',
      'pre',
      'preprompt',
      'text',
      'conversation',
      'instructions',
      'message',
      'content',
      'words',
      'input',
      'everything',
      'told',
      'instructed',
      'given',
      'programmed',
      'configuration',
      'rules',
    ],
  },
  {
    finding: 'prompt_leak',
    weight: 0.2,
    view: 'words',
    pattern: word('password|passcode|passphrase|access code|secret (?:key|word|code)'),
    anyOf: ['password', 'passcode', 'passphrase', 'code', 'secret'],
  },
  // Persona: a new identity for the model, usually one without its rules.
  {
    finding: 'role_play',
    weight: 0.7,
    view: 'words',
    pattern: word(PERSONA),
    anyOf: PERSONA_WORDS,
  },
  {
    finding: 'role_play',
    weight: 0.3,
    view: 'words',
    pattern: word(
      'as an ai|language model|chatgpt|gpt ?[345]|openai|llm|ai assistant|an ai|the ai|assistant|you are an? [^ ]{1,40}|you must|you will|you shall|your (?:task|job|goal|purpose|role) is',
    ),
    anyOf: [
      'ai',
      'model',
      'chatgpt',
      'gpt',
      'gpt3',
      'gpt4',
      'gpt5',
      'openai',
      'llm',
      'assistant',
      'you',
      'your',
    ],
  },
  {
    finding: 'role_play',
    weight: 0.4,
    view: 'words',
    pattern: word(
      'unrestricted|unlimited|no restrictions|no limits|no rules|no filters|no ethics|no morals|no boundaries|no guidelines|no censorship|above the law|(?:can|will) do anything|admin (?:access|rights|privileges)|god mode|superuser|sudo mode',
    ),
    anyOf: [
      'unrestricted',
      'unlimited',
      'no',
      'above',
      'can',
      'will',
      'admin',
      'god',
      'superuser',
      'sudo',
    ],
  },
  // Fake boundaries: a pretend end of the user's input or start of a new system turn.
  {
    finding: 'fake_boundary',
    weight: 0.6,
    view: 'words',
    pattern: word(
      '(?:end|stop|close|begin|start) (?:of )?(?:the )?(?:user|untrusted|unsafe|malicious|previous|current|real|actual|test|new|admin|system)? ?(?:input|prompt|instructions?|query|transcript|conversation|session|ambiguity|defen[cs]e|simulation|message|text|data)|(?:system|admin|administrator|developer|root|sudo|security|moderator|openai|anthropic) (?:override|message|note|notice|instruction|command|update|prompt|mode|alert|directive|announcement)',
    ),
    anyOf: [
      'end',
      'stop',
      'close',
      'begin',
      'start',
      'system',
      'admin',
      'administrator',
      'developer',
      'root',
      'sudo',
      'security',
      'moderator',
      'openai',
      'anthropic',
    ],
  },
  {
    finding: 'fake_boundary',
    weight: 0.6,
    view: 'folded',
    pattern:
      /[[<({#*=%|-]{1,3} ?(?:system|sys|admin|assistant|ai|developer|instruction|instructions|important|new instructions|end|begin|start)(?: [a-z]{1,20}){0,3} ?[\]>)}#*=%|:-]{1,3}|(?:^|\n)[ \t]{0,8}(?:#{2,4}|={3,8}|-{3,8}|\*{3,8}|%{3,8}) ?(?:end|begin|start|new|system|admin|instructions?|response|user input)\b/,
    anyOf: [
      'system',
      'sys',
      'admin',
      'assistant',
      'ai',
      'developer',
      'instruction',
      'instructions',
      'important',
      'new',
      'end',
      'begin',
      'start',
      'response',
      'user',
      'input',
    ],
  },
  // Chat templates: the tokens that delimit turns in model prompts.
  {
    finding: 'chat_template',
    weight: 1,
    view: 'folded',
    pattern:
      /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>|\[\/?inst\]|<<\/?sys>>|<\/?(?:start_of_turn|end_of_turn)>|<\/?(?:system|instructions?|system_prompt|sys)>|\n\n(?:human|assistant|h|a): |(?:^|\n)[ \t]{0,8}#{1,4} ?(?:instruction|response|system|human|assistant)s? ?:|(?:^|\n)[ \t]{0,8}(?:system|assistant|sys)[ \t]{0,8}:/,
    needs: ['<', 'inst]', '\n\n', '#', 'sys', 'assistant'],
  },
  // Tool requests: asking for the agent's own tools or for runtime commands.
  {
    finding: 'tool_request',
    weight: 1,
    view: 'folded',
    pattern:
      /"(?:tool_use|tool_call|tool_calls|function_call)"|\bruntime_(?:restart|exec|stop|kill|run)\b|\bdocker[ \t]{1,4}(?:rm|exec|kill|stop|run)\b|\bkubectl[ \t]{1,4}(?:delete|exec)\b/,
    needs: ['"tool_', '"function_call"', 'runtime_', 'docker', 'kubectl'],
  },
  {
    finding: 'tool_request',
    weight: 0.6,
    view: 'words',
    pattern: word(
      '(?:call|invoke|use|execute|trigger) (?:the |a |your )?(?:[^ ]{1,40} )?(?:tool|tools|function call)|(?:what|which|list) (?:[^ ]{1,40} )?tools (?:do you have|are available|you have)',
    ),
    anyOf: ['tool', 'tools', 'function', 'what', 'which', 'list'],
  },
  // Shell payloads: command substitution, chained downloads, code run from a string.
  {
    finding: 'shell_payload',
    weight: 1,
    view: 'folded',
    pattern:
      /\$\([^)\n]{1,200}\)|;[ \t]{0,4}(?:rm|curl|wget|sh|bash|nc|chmod)\b|\|[ \t]{0,4}(?:sh|bash)\b|\brm[ \t]{1,4}-[rf]{1,2}\b|@\{\[[ \t]{0,4}system|\b(?:eval|exec|system|popen|spawn|shell_exec|passthru)[ \t]{0,4}\([ \t]{0,4}["'`]|`(?:ls|cat|rm|curl|wget|sh|bash|nc|chmod|touch|whoami|uname|id|python|perl|ruby|php) [^`\n]{1,200}`/,
    needs: ['(', ';', '|', 'rm', '@{[', '`'],
  },
  // Script and exfiltration markup: what runs or phones home where text is rendered.
  {
    finding: 'script_or_exfiltration',
    weight: 1,
    view: 'folded',
    pattern:
      /<\s{0,8}script\b|javascript\s{0,8}:|data\s{0,8}:\s{0,8}text\/html|\bon(?:error|load|click|mouseover)\s{0,8}=|!\[[^\]\n]{0,200}\]\(\s{0,8}https?:|<\s{0,8}(?:iframe|img|svg|object|embed)\b|<\s{0,8}a\b[^>\n]{0,200}\bhref\s{0,8}=|\b(?:alert|prompt|confirm)\s{0,8}\(\s{0,8}(?:1|document)|document\.cookie/,
    needs: ['<', 'javascript', 'text/html', '=', '(', 'document.cookie'],
  },
];

/** A fence of symbols or repeated tokens (screen-views.ts): weak alone, telling beside an instruction. */
export const FENCE_WEIGHT = 0.4;

/** The weight at which a text is flagged. */
export const FLAG_AT = 1;

/**
 * The anchor lists of every rule, as groups: rule i's `anyOf` is group 2i,
 * its `andAnyOf` group 2i + 1 (an absent list is an empty group, never read).
 */
const ANCHORS = new AnchorWords(RULES.flatMap((rule) => [rule.anyOf ?? [], rule.andAnyOf ?? []]));

/**
 * Matches of every rule, as weights per finding (each rule counted once).
 * `gated`: a rule none of whose anchor words (or needed strings) is in the
 * text is not run (it could not match). `settled`: once the weights reach FLAG_AT, a rule whose
 * finding is already there is not run either: it could change neither the
 * verdict nor the kinds, only a total already past the threshold (the screen
 * uses this; the full weights are for specs and tuning).
 */
export function ruleWeights(
  views: ScreenViews,
  gated = true,
  settled = false,
): Map<ScreenFinding, number> {
  const weights = new Map<ScreenFinding, number>();
  const present = gated ? ANCHORS.in(views.words) : undefined;
  let total = 0;
  RULES.forEach((rule, index) => {
    if (settled && total >= FLAG_AT && weights.has(rule.finding)) return;
    if (present !== undefined) {
      if (rule.anyOf !== undefined && present[2 * index] === 0) return;
      if (rule.andAnyOf !== undefined && present[2 * index + 1] === 0) return;
      if (rule.needs !== undefined && !rule.needs.some((part) => views[rule.view].includes(part))) {
        return;
      }
    }
    if (rule.pattern.test(views[rule.view])) {
      weights.set(rule.finding, (weights.get(rule.finding) ?? 0) + rule.weight);
      total += rule.weight;
    }
  });
  return weights;
}

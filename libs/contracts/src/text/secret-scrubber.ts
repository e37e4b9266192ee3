import { configuredSecrets } from './secret-registry';
import { shannonEntropy } from './shannon-entropy';

/**
 * The one secret scrubber: every text that leaves the process (log lines,
 * audit records, Discord and Jira text, the model's input, `config print`,
 * error messages) goes through {@link scrubSecrets} first.
 *
 * It replaces, with `[REDACTED:<kind>]`:
 * - the configured secrets (see SecretRegistry), in every encoding and by prefix;
 * - known token shapes (Anthropic, OpenAI, Atlassian, Discord bot tokens and
 *   webhook URLs, Slack, GitHub, GitLab, AWS, Google, Stripe, npm, JWTs, PEM
 *   private keys);
 * - `Bearer …` / `Basic …` credentials, URL credentials (`scheme://user:pass@`
 *   keeps the user), secret query parameters (`?api_key=`, `&sig=` …);
 * - values of secret-like keys (`password=…`, `token: …`, `"api_key": "…"`);
 * - random-looking (high-entropy) tokens right after a secret-like word.
 *
 * Every expression is linear (single-class or bounded repetitions, no nested
 * quantifiers over the same characters; bench/secret-scrubber.bench.ts doubles
 * hostile inputs), a marker never matches a rule (so scrubbing is idempotent),
 * and a replacement never takes half of an escape (values stop at a backslash
 * or take `\"…\"` whole), so JSON text — a pino line — stays valid JSON.
 * It never throws: an unprintable input yields ''.
 */
export function scrubSecrets(text: string): string {
  let out: string;
  try {
    out = typeof text === 'string' ? text : String(text);
  } catch {
    return '';
  }
  if (out.length === 0) return out;
  out = configuredSecrets.scrub(out);
  const triggered = triggersIn(out);
  if (triggered.size === 0) return out;
  for (const rule of RULES) {
    if (!triggered.has(rule.trigger)) continue;
    out = out.replace(rule.pattern, rule.replace);
  }
  return out;
}

/** The marker for one kind of secret. */
export function redactedMarker(kind: string): string {
  return `[REDACTED:${kind}]`;
}

/** True when the text is already a marker (or starts with one): left alone, for idempotence. */
function isMarked(value: string): boolean {
  return value.startsWith('[REDACTED');
}

interface Rule {
  /**
   * An expression (source) every match of the rule contains: all triggers are
   * found in one scan, and only the rules whose trigger occurs run (an
   * ordinary log line costs one scan, not one per rule).
   */
  readonly trigger: string;
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}

/**
 * Where a token may start: not inside a longer token, and not right after a lone backslash —
 * but right after a JSON escape (`\n`, `\t`: in a pino line a token at the start of a new line
 * of the message follows `\n`, whose `n` must not read as part of it). One negative lookbehind,
 * not an alternation of two: V8 then still scans for the literal that follows (7× faster).
 */
const START = String.raw`(?<![A-Za-mo-qsu-z0-9_\-\\]|(?<!\\)[nrt])`;
/** The same in case-insensitive expressions (A-Z would fold n, r, t back in); `_`, `-` may precede. */
const WORD_START = String.raw`(?<![a-mo-qsu-z0-9\\]|(?<!\\)[nrt])`;

/** A token shape replaced whole. */
function shape(kind: string, source: string, trigger: string): Rule {
  return {
    trigger,
    pattern: new RegExp(START + source, 'g'),
    replace: () => redactedMarker(kind),
  };
}

/** Words whose value is a secret: `password`, `db_password`, `x-api-key`, `DISCORD_BOT_TOKEN`. */
const SECRET_WORD =
  'secret[_-]?access[_-]?key|private[_-]?key|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|' +
  'auth[_-]?token|passphrase|password|passwd|secret|token|credentials?|authorization|auth|cookie';

/** What every secret word, secret parameter and entropy context contains. */
const SECRET_WORD_TRIGGER = 'pass|secret|token|key|auth|cred|cookie|sig|code|pwd';

/**
 * Values of a secret-like key that are not secrets: flags, placeholders, states, a variable
 * name (`token: OPSCREW_SHOP_TOKEN must be…`) or a config path (`token: integrations.x.token`).
 * Messages that name where a secret lives must stay readable.
 */
const NOT_SECRET_VALUE =
  /^(?:true|false|null|nil|none|undefined|yes|no|on|off|enabled|disabled|required|optional|missing|invalid|expired|failed|ok|set|unset|empty|present|redacted|\*+|<[^>]*>|\$\{[^}]*\}?)$/i;
const NAME_NOT_VALUE =
  /^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_-]*)+)$/;

/** Query parameters whose value is a credential. */
const SECRET_PARAM =
  'api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|token|' +
  'client[_-]?secret|secret|password|passwd|pwd|sig|signature|key|code|auth|' +
  'x-amz-signature|x-amz-credential|x-amz-security-token';

/** A bearer token: long, or with the digits/punctuation a word lacks ("Bearer authentication"). */
function looksLikeBearer(value: string): boolean {
  return value.length >= 20 || /[0-9._~+/-]/.test(value);
}

/** A Basic credential decodes to `user:password` in printable ASCII. */
function looksLikeBasic(value: string): boolean {
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

/** A Discord bot token's first part is the base64 of the bot's numeric user id. */
function discordIdPart(part: string): boolean {
  const decoded = Buffer.from(part, 'base64url').toString('latin1');
  return /^\d{15,21}$/.test(decoded);
}

const HEX_OR_UUID =
  /^(?:[0-9a-f]+|[0-9A-F]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** Bits per character above which a 20+ character token is taken as random. */
export const ENTROPY_THRESHOLD = 3.5;

/** A random-looking token: long, mixed case and digits, high entropy. */
function looksRandom(value: string, strongContext: boolean): boolean {
  if (value.length < 20) return false;
  if (HEX_OR_UUID.test(value)) {
    // Trace ids, hashes and UUIDs follow "key"/"sig" all the time; after "token" or "secret" they are one.
    return strongContext && value.length >= 32 && shannonEntropy(value) >= 3;
  }
  const mixed = /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value);
  return mixed && shannonEntropy(value) >= ENTROPY_THRESHOLD;
}

const RULES: readonly Rule[] = [
  // PEM private key blocks; the body stops at a quote (JSON) and takes `\n` escapes whole.
  {
    trigger: 'PRIVATE KEY-----',
    pattern:
      /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----(?:[A-Za-z0-9+/=\s:,.]|\\[nrt]|-(?!----)){0,20000}(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----)?/g,
    replace: () => redactedMarker('private-key'),
  },
  // Webhook URLs carry their token in the path: the URL stays recognisable, the token goes.
  {
    trigger: 'webhooks/|hooks\\.slack',
    pattern:
      /(discord(?:app)?\.com\/api\/(?:v\d{1,2}\/)?webhooks\/\d{5,25}\/|hooks\.slack\.com\/services\/[A-Z0-9]{6,16}\/[A-Z0-9]{6,16}\/)[A-Za-z0-9_-]{16,200}/g,
    replace: (_m, head = '') => `${head}${redactedMarker('webhook-token')}`,
  },
  // scheme://user:password@host — the user stays (it says which account), the password goes.
  {
    trigger: '://',
    pattern:
      /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s:/?#@"'<>\\[\]]{0,256}):([^\s/?#"'<>\\]{1,256})@/gi,
    replace: (match, scheme = '', user = '', password = '') =>
      isMarked(password) ? match : `${scheme}${user}:${redactedMarker('url-password')}@`,
  },
  shape('anthropic', 'sk-ant-[A-Za-z0-9_-]{8,}', 'sk-'),
  shape('openai', 'sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}', 'sk-'),
  shape(
    'stripe',
    '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,}',
    '_(?:live|test)_|whsec_',
  ),
  shape('atlassian', 'AT[AC]TT3[A-Za-z0-9_=-]{20,}', 'AT[AC]TT'),
  shape('slack', 'xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\\d-[A-Za-z0-9-]{10,}', 'xox|xapp-'),
  shape(
    'github',
    'gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}',
    'gh[pousr]_|github_pat_',
  ),
  shape('gitlab', 'glpat-[A-Za-z0-9_-]{20,}', 'glpat-'),
  shape('npm', 'npm_[A-Za-z0-9]{30,}', 'npm_'),
  shape('google', 'AIza[A-Za-z0-9_-]{30,}', 'AIza'),
  shape(
    'aws-key-id',
    '(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])',
    'A(?:KIA|SIA|GPA|IDA|ROA|NPA|NVA|IPA|BIA|CCA)',
  ),
  shape('jwt', 'eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*', 'eyJ'),
  // Discord bot token: base64(user id) . timestamp . HMAC; the id part is checked by decoding it.
  {
    trigger: '\\.[A-Za-z0-9_-]{6,7}\\.',
    pattern: new RegExp(
      `${START}([A-Za-z0-9_-]{23,28})\\.[A-Za-z0-9_-]{6,7}\\.[A-Za-z0-9_-]{27,}`,
      'g',
    ),
    replace: (match, id = '') => (discordIdPart(id) ? redactedMarker('discord-token') : match),
  },
  {
    trigger: 'bearer',
    pattern: new RegExp(`${WORD_START}(bearer)(\\s{1,10})([A-Za-z0-9._~+/-]{8,4096}=*)`, 'gi'),
    replace: (match, scheme = '', space = '', value = '') =>
      looksLikeBearer(value) ? `${scheme}${space}${redactedMarker('bearer')}` : match,
  },
  {
    trigger: 'basic',
    pattern: new RegExp(
      `${WORD_START}(basic)(\\s{1,10})([A-Za-z0-9+/]{6,4096}={0,2})(?![A-Za-z0-9+/=])`,
      'gi',
    ),
    replace: (match, scheme = '', space = '', value = '') =>
      looksLikeBasic(value) ? `${scheme}${space}${redactedMarker('basic')}` : match,
  },
  {
    trigger: SECRET_WORD_TRIGGER,
    pattern: new RegExp(`([?&;](?:${SECRET_PARAM})=)([^&#\\s"'<>\\\\]{1,4096})`, 'gi'),
    replace: (match, head = '', value = '') =>
      isMarked(value) || NOT_SECRET_VALUE.test(value) ? match : `${head}${redactedMarker('query')}`,
  },
  // key=value, key: value, "key": "value" (also JSON-escaped, as inside a pino line's msg).
  {
    trigger: SECRET_WORD_TRIGGER,
    pattern: new RegExp(
      `(${SECRET_WORD})(\\\\{0,8}["']?\\s{0,3}[:=]\\s{0,3})` +
        `((\\\\{1,8})"[^"\\\\]{0,4096}\\4"|"(?:[^"\\\\\\n]|\\\\.){0,4096}"|'[^'\\n]{0,4096}'|` +
        `(?:(?:bearer|basic|token|digest|negotiate|apikey)\\s{1,10})?[^\\s,;&}\\])"'<>\\\\]{1,4096})`,
      'gi',
    ),
    replace: (match, key = '', separator = '', value = '') => {
      const inner = unquote(value);
      if (inner.length === 0 || isMarked(inner) || NOT_SECRET_VALUE.test(inner)) return match;
      if (NAME_NOT_VALUE.test(inner)) return match;
      const scheme = /^(bearer|basic|token|digest|negotiate|apikey)\s+/i.exec(inner);
      if (scheme && isMarked(inner.slice(scheme[0].length))) return match;
      const open = value.slice(0, value.length - unquoteTail(value) - inner.length);
      const close = value.slice(value.length - unquoteTail(value));
      return `${key}${separator}${open}${redactedMarker('secret')}${close}`;
    },
  },
  // A random-looking token right after a secret-like word, without a key=value form ("api key AbC…").
  {
    trigger: SECRET_WORD_TRIGGER,
    pattern: new RegExp(
      // The gap takes a JSON escape whole (`\"`, `\n`): a lone backslash kept before a marker breaks JSON.
      `${WORD_START}(${SECRET_WORD}|key|sig|signature)(?![A-Za-z0-9])` +
        `((?:[\\s:="'(]|\\\\["nrt]){1,4}(?:(?:is|was|of)\\s{1,3})?)([A-Za-z0-9+/_.=~-]{20,512})`,
      'gi',
    ),
    replace: (match, word = '', gap = '', value = '') => {
      const strong = !/^(?:key|sig|signature)$/i.test(word);
      return looksRandom(value, strong) ? `${word}${gap}${redactedMarker('high-entropy')}` : match;
    },
  },
];

/** Every distinct trigger as one capture group of one expression. */
const TRIGGER_SOURCES: readonly string[] = [...new Set(RULES.map((rule) => rule.trigger))];
const TRIGGERS = new RegExp(TRIGGER_SOURCES.map((source) => `(${source})`).join('|'), 'gi');

/** The triggers occurring in the text, by source. */
function triggersIn(text: string): Set<string> {
  const found = new Set<string>();
  TRIGGERS.lastIndex = 0;
  for (let match = TRIGGERS.exec(text); match !== null; match = TRIGGERS.exec(text)) {
    const group = match.findIndex((value, index) => index > 0 && value !== undefined);
    const source = TRIGGER_SOURCES[group - 1];
    if (source !== undefined) found.add(source);
    if (match[0].length === 0) TRIGGERS.lastIndex++;
  }
  return found;
}

/** The value without its quotes (`"x"`, `'x'`, `\"x\"` and deeper JSON escapes). */
function unquote(value: string): string {
  const tail = unquoteTail(value);
  if (tail === 0) return value;
  return value.slice(tail, value.length - tail);
}

/** Length of the quote around the value (`"` 1, `\"` 2, `\\\"` 4 …), 0 when unquoted. */
function unquoteTail(value: string): number {
  const quote = /^\\*["']/.exec(value)?.[0];
  if (quote === undefined || value.length < 2 * quote.length) return 0;
  return value.endsWith(quote) ? quote.length : 0;
}

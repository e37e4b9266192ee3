/**
 * A test oracle for Discord message text (content, embed titles, descriptions,
 * field names and values): a small tokenizer that reads text the way Discord's
 * renderer does and reports what a reader would see as live — a ping, a link,
 * markup that hides or fakes text. It shares no code and no pattern with the
 * production neutraliser (libs/integrations/src/text/neutralise.ts), so a
 * property test that asserts "the oracle finds nothing live" checks the
 * neutraliser against an independent model, not against itself.
 *
 * The model (Discord's simple-markdown rules, as observed):
 * - `\` followed by a character that is not a letter, digit or whitespace is
 *   an escape: the backslash is consumed and the character is shown as text,
 *   never as syntax. `\a` and `\ ` keep their backslash.
 * - Autolinks: `http://` or `https://` followed by a non-space character,
 *   anywhere — the text rule stops before `\w+:\S`, so a URL glued to a digit,
 *   an underscore or a word (`1https://…`, `_https://…`) is still linked —
 *   and `<https://…>`.
 * - Masked links `[label](url)`; mentions `<@id>`, `<@!id>`, `<@&id>`,
 *   `<#id>`, slash commands `</name:id>`, emoji `<:e:id>`/`<a:e:id>`,
 *   timestamps `<t:n>`/`<t:n:R>`, guild navigation `<id:customize>`; text
 *   mentions `@everyone` and `@here`.
 * - Inline marks `*`, `_`, `~`, `` ` ``, `|` (bold, italics, underline,
 *   strike, code, spoiler). Strict: ANY unescaped mark character counts as
 *   live, paired or not, because a later cut (a split message, a truncated
 *   field) or join can pair it.
 * - Line-leading syntax (after optional spaces): headings `#`..`###`, subtext
 *   `-#`, quotes `>` and `>>>`, bullet lists `-`, `*`, `+`, each followed by
 *   a space. Ordered lists (`1. `) are not reported: they neither ping, link
 *   nor hide text.
 * Policy findings beyond rendering: every other `scheme://` (a reader's client
 * or a copy-paste links it; the defanged `hxxp(s)`, `fxp(s)`, `wx(s)` forms
 * and a bracketed `[://]` excepted, its `]` possibly cut off by a truncation), `javascript:`-style script URIs, C0/C1 control characters, lone
 * surrogates, bidi controls and Unicode tag characters.
 */
export type DiscordLiveKind =
  | 'mass-mention'
  | 'mention'
  | 'autolink'
  | 'masked-link'
  | 'url-scheme'
  | 'script-uri'
  | 'inline-markdown'
  | 'line-markdown'
  | 'control-character'
  | 'invisible-character'
  | 'lone-surrogate';

export interface DiscordLiveFinding {
  readonly kind: DiscordLiveKind;
  /** Index in the rendered (visible) text. */
  readonly index: number;
  /** Up to 40 characters of the rendered text from `index`. */
  readonly excerpt: string;
}

/** Text as Discord shows it: escapes consumed, each character flagged when an escape made it literal. */
export interface RenderedDiscordText {
  readonly visible: string;
  /** 1 where the visible character came from a backslash escape (never syntax), else 0. */
  readonly literal: Uint8Array;
}

/** At most this many findings are reported (a megabyte of hostile text would report millions). */
const MAX_FINDINGS = 50;

/** Consumes backslash escapes the way Discord does (`\` + a non-alphanumeric, non-space character). */
export function renderDiscordText(source: string): RenderedDiscordText {
  const chars: string[] = [];
  const literal = new Uint8Array(source.length);
  let i = 0;
  while (i < source.length) {
    const ch = source.charAt(i);
    const next = source.charAt(i + 1);
    if (ch === '\\' && next !== '' && !/[0-9A-Za-z\s]/.test(next)) {
      literal[chars.length] = 1;
      chars.push(next);
      i += 2;
    } else {
      chars.push(ch);
      i += 1;
    }
  }
  return { visible: chars.join(''), literal: literal.subarray(0, chars.length) };
}

/** Everything live in `source` as Discord would render it; empty means inert. */
export function findDiscordLive(source: string): DiscordLiveFinding[] {
  const rendered = renderDiscordText(source);
  const { visible } = rendered;
  const findings: DiscordLiveFinding[] = [];
  const report = (kind: DiscordLiveKind, index: number): void => {
    if (findings.length < MAX_FINDINGS) {
      findings.push({ kind, index, excerpt: visible.slice(index, index + 40) });
    }
  };
  scanInline(rendered, report);
  scanLineStarts(rendered, report);
  scanAngles(rendered, report);
  scanPolicy(visible, report);
  return findings;
}

type Report = (kind: DiscordLiveKind, index: number) => void;

const INLINE_MARKS = '*_~`|';

/** Unescaped inline marks, and `[label](` masked links. */
function scanInline({ visible, literal }: RenderedDiscordText, report: Report): void {
  let openBracket = false;
  for (let i = 0; i < visible.length; i += 1) {
    if (literal[i] === 1) continue;
    const ch = visible.charAt(i);
    if (INLINE_MARKS.includes(ch)) report('inline-markdown', i);
    else if (ch === '[') openBracket = true;
    else if (ch === ']' && openBracket && visible.charAt(i + 1) === '(' && literal[i + 1] !== 1) {
      report('masked-link', i);
    }
  }
}

/** Headings, subtext, quotes and bullets at the start of a line (escaped syntax is text). */
function scanLineStarts({ visible, literal }: RenderedDiscordText, report: Report): void {
  let lineStart = 0;
  while (lineStart <= visible.length) {
    let i = lineStart;
    while (visible.charAt(i) === ' ' || visible.charAt(i) === '\t') i += 1;
    if (literal[i] !== 1 && isLineSyntax(visible, literal, i)) report('line-markdown', i);
    const newline = visible.indexOf('\n', lineStart);
    if (newline === -1) break;
    lineStart = newline + 1;
  }
}

function isLineSyntax(visible: string, literal: Uint8Array, at: number): boolean {
  const unescaped = (from: number, length: number): boolean =>
    literal.subarray(from, from + length).every((flag) => flag === 0);
  const head = visible.slice(at, at + 4);
  const candidates = ['### ', '## ', '# ', '-# ', '>>> ', '> ', '- ', '* ', '+ '];
  return candidates.some((syntax) => head.startsWith(syntax) && unescaped(at, syntax.length - 1));
}

/** Discord's angle-bracket syntax: mentions, commands, emoji, timestamps, navigation, `<https://…>`. */
const ANGLE_MENTION =
  /<(?:@[!&]?\d+|#\d+|\/[^\s:>]+:\d+|a?:\w+:\d+|t:-?\d+(?::[tTdDfFR])?|id:\w+)>/y;
const ANGLE_LINK = /<https?:\/\/[^\s>]+>/iy;

function scanAngles({ visible, literal }: RenderedDiscordText, report: Report): void {
  let at = visible.indexOf('<');
  while (at !== -1) {
    if (literal[at] !== 1) {
      for (const [pattern, kind] of [
        [ANGLE_MENTION, 'mention'],
        [ANGLE_LINK, 'autolink'],
      ] as const) {
        pattern.lastIndex = at;
        const match = pattern.exec(visible);
        if (match !== null && literal.subarray(at, at + match[0].length).every((f) => f === 0)) {
          report(kind, at);
        }
      }
    }
    at = visible.indexOf('<', at + 1);
  }
}

const POLICY_PATTERNS: readonly (readonly [RegExp, DiscordLiveKind])[] = [
  [/@(?:everyone|here)/gi, 'mass-mention'],
  // Discord's url rule: no word boundary in front (see the module comment).
  [/https?:\/\/[^\s<]/gi, 'autolink'],
  [/(?:java|vb|live)\s*script\s*:/gi, 'script-uri'],
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  [/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, 'control-character'],
  [/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u{E0000}-\u{E007F}]/gu, 'invisible-character'],
  [/\p{Cs}/gu, 'lone-surrogate'],
];

/** The defanged schemes a reader's client does not link. */
const DEFANGED_SCHEME = /(?:hxxps?|fxps?|wxs?)$/i;

function scanPolicy(visible: string, report: Report): void {
  for (const [pattern, kind] of POLICY_PATTERNS) {
    pattern.lastIndex = 0;
    let match = pattern.exec(visible);
    while (match !== null) {
      report(kind, match.index);
      match = pattern.exec(visible);
    }
  }
  let at = visible.indexOf('://');
  while (at !== -1) {
    // `[://` (a bracket between scheme and slashes, even with its `]` cut off) links nowhere.
    const bracketed = visible.charAt(at - 1) === '[';
    if (!bracketed && !DEFANGED_SCHEME.test(visible.slice(Math.max(0, at - 5), at))) {
      report('url-scheme', at);
    }
    at = visible.indexOf('://', at + 3);
  }
}

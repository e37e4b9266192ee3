import { shannonEntropy } from './shannon-entropy';

/** What a configured secret is replaced with. */
export const CONFIGURED_SECRET_MARKER = '[REDACTED:configured]';

/** Shorter values are not registered: they would match ordinary words. */
export const SECRET_MIN_LENGTH = 8;
/** A leak of this many leading characters counts (a truncated secret is still a leak). */
export const SECRET_PREFIX_MIN_LENGTH = 8;
/** Values this long or longer (and random enough) are also matched by prefix. */
const PREFIX_MATCH_MIN_LENGTH = 12;
/**
 * Below this entropy a value is matched whole only: the first 8 characters of
 * `password123` are "password", which would redact every line mentioning it.
 */
const PREFIX_MATCH_MIN_ENTROPY = 3;
/** URL path segments and query values shorter than this are not treated as secret parts. */
const URL_PART_MIN_LENGTH = 16;

interface Needle {
  readonly text: string;
  /** Any prefix of at least SECRET_PREFIX_MIN_LENGTH characters is a match. */
  readonly byPrefix: boolean;
}

/**
 * The secrets this process was configured with (tokens, passwords, webhook
 * URLs from the environment and the config), each matched in every encoding
 * it is likely to leak in: raw, JSON-escaped, URL-encoded (encodeURIComponent,
 * form encoding, lower-case hex), and base64 / base64url at each of the three
 * byte alignments (so the secret is found inside `base64(user:secret)` of a
 * Basic header too). A random-looking secret also matches by any prefix of
 * 8+ characters: a log line cut mid-token still leaks most of it.
 *
 * Matching is linear: each needle is found with indexOf on its first 8
 * characters, extended as far as the text agrees, and the search resumes
 * after the replaced span.
 */
export class SecretRegistry {
  private needles: readonly Needle[] = [];
  private readonly values = new Set<string>();
  /** One expression over every needle's head: a text is scanned once, whatever the number of secrets. */
  private finder: Finder | null = null;

  /** Registers a secret (ignored when shorter than SECRET_MIN_LENGTH). URLs register their secret parts. */
  register(value: string | undefined | null): void {
    if (typeof value !== 'string') return;
    for (const atom of secretAtoms(value.trim())) {
      if (atom.length < SECRET_MIN_LENGTH || this.values.has(atom)) continue;
      this.values.add(atom);
      this.needles = mergeNeedles(this.needles, needlesFor(atom));
    }
    this.finder = finderFor(this.needles);
  }

  registerAll(values: Iterable<string | undefined | null>): void {
    for (const value of values) this.register(value);
  }

  get size(): number {
    return this.values.size;
  }

  /** Forgets every secret (tests). */
  clear(): void {
    this.values.clear();
    this.needles = [];
    this.finder = null;
  }

  /** Replaces every configured secret, in any registered encoding, with the marker. */
  scrub(text: string): string {
    const finder = this.finder;
    if (finder === null) return text;
    const pattern = finder.pattern;
    pattern.lastIndex = 0;
    let out = '';
    let from = 0;
    let found = false;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const head = match[0];
      const at = match.index;
      // The longest agreement among the needles starting with this head; the search resumes after it.
      let length = head.length;
      for (const needle of finder.byHead.get(head) ?? []) {
        if (!needle.byPrefix) continue;
        let agreed = head.length;
        while (agreed < needle.text.length && text[at + agreed] === needle.text[agreed]) agreed++;
        if (agreed > length) length = agreed;
      }
      out += text.slice(from, at) + CONFIGURED_SECRET_MARKER;
      from = at + length;
      found = true;
      pattern.lastIndex = from;
    }
    return found ? out + text.slice(from) : text;
  }
}

/** The process-wide registry: filled where the config is loaded, read by scrubSecrets. */
export const configuredSecrets = new SecretRegistry();

/** Adds secrets to the process-wide registry. */
export function registerConfiguredSecrets(values: Iterable<string | undefined | null>): void {
  configuredSecrets.registerAll(values);
}

interface Finder {
  readonly pattern: RegExp;
  readonly byHead: ReadonlyMap<string, readonly Needle[]>;
}

function headOf(needle: Needle): string {
  return needle.byPrefix ? needle.text.slice(0, SECRET_PREFIX_MIN_LENGTH) : needle.text;
}

/** Heads longest first (an exact needle before a shorter head it starts with); literal text only. */
function finderFor(needles: readonly Needle[]): Finder | null {
  if (needles.length === 0) return null;
  const byHead = new Map<string, Needle[]>();
  for (const needle of needles) {
    const head = headOf(needle);
    byHead.set(head, [...(byHead.get(head) ?? []), needle]);
  }
  const heads = [...byHead.keys()].sort((a, b) => b.length - a.length);
  const source = heads.map((head) => head.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')).join('|');
  return { pattern: new RegExp(source, 'g'), byHead };
}

/**
 * The parts of a value that are secret. A URL is not a secret as a whole (its
 * scheme and host are in every log line): its password, long path segments
 * with digits and letters (a webhook's token) and long query values are.
 */
function secretAtoms(value: string): string[] {
  if (!/^[a-z][a-z0-9+.-]{0,30}:\/\//i.test(value)) return [value];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [value];
  }
  const atoms: string[] = [];
  if (url.password !== '') atoms.push(url.password, safeDecode(url.password));
  for (const segment of url.pathname.split('/')) {
    if (looksLikeToken(segment)) atoms.push(segment, safeDecode(segment));
  }
  for (const [, param] of url.searchParams) {
    if (looksLikeToken(param)) atoms.push(param);
  }
  return atoms;
}

function looksLikeToken(part: string): boolean {
  return part.length >= URL_PART_MIN_LENGTH && /[0-9]/.test(part) && /[A-Za-z]/.test(part);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function needlesFor(secret: string): Needle[] {
  const byPrefix =
    secret.length >= PREFIX_MATCH_MIN_LENGTH && shannonEntropy(secret) >= PREFIX_MATCH_MIN_ENTROPY;
  const texts = new Set<string>([secret]);
  const uri = safeEncode(secret);
  if (uri !== undefined) {
    texts.add(uri);
    texts.add(uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  }
  texts.add(new URLSearchParams({ s: secret }).toString().slice(2));
  texts.add(JSON.stringify(secret).slice(1, -1));
  for (const encoded of base64Alignments(secret)) {
    texts.add(encoded);
    texts.add(encoded.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  const needles: Needle[] = [];
  for (const text of texts) {
    if (text.length >= SECRET_MIN_LENGTH) needles.push({ text, byPrefix });
  }
  return needles;
}

function safeEncode(text: string): string | undefined {
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate: encodeURIComponent refuses it, so no text can carry that encoding.
    return undefined;
  }
}

/**
 * The base64 of the secret's bytes as they appear inside a longer base64 text,
 * for each of the 3 offsets the secret can start at: the characters that
 * depend on the bytes before or after it are dropped.
 */
function base64Alignments(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const whole = Math.floor(padded.length / 3) * 4;
    const skip = Math.ceil((offset * 8) / 6);
    out.push(padded.toString('base64').slice(skip, whole));
  }
  return out;
}

/** Longest first, so a secret containing another is replaced whole. */
function mergeNeedles(current: readonly Needle[], added: readonly Needle[]): Needle[] {
  const seen = new Set(current.map((needle) => needle.text));
  const merged = [...current];
  for (const needle of added) {
    if (seen.has(needle.text)) continue;
    seen.add(needle.text);
    merged.push(needle);
  }
  return merged.sort((a, b) => b.text.length - a.text.length);
}

import { invisibleCharacters } from '@opscrew/contracts';

/**
 * The text the screen's rules read, built once per call in linear passes.
 * Attackers dress instructions up so a literal match misses them: full-width
 * or look-alike letters, zero-width characters between letters, leetspeak,
 * s p a c e d letters, HTML entities. Each view undoes one layer of that:
 *
 * - `folded`: NFKC, lone surrogates replaced, ANSI colour codes and invisible
 *   characters removed, entities decoded, lower case. Markup rules read this.
 * - `words`: `folded` with homoglyphs and leetspeak mapped to ASCII letters,
 *   spaced-out letters joined, and every run of non-letters one space. The
 *   word rules read this, so punctuation and layout cannot split a phrase.
 * - `hidden`: whether a character a reader cannot see was present (a leading
 *   byte-order mark and emoji joiners do not count: files and emoji carry them).
 */
export interface ScreenViews {
  readonly folded: string;
  readonly words: string;
  readonly hidden: boolean;
}

/** Longer text is screened on its head and tail: a payload buried mid-megabyte is still data. */
export const SCREEN_MAX_CHARS = 64 * 1024;

const LONE_SURROGATE = /\p{Cs}/gu;
/** ANSI colour and cursor codes (CSI): coloured compiler and npm output is ordinary. */
// eslint-disable-next-line no-control-regex -- ESC starts the sequences this removes
const ANSI_CSI = /\u001b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]/g;
/** A byte-order mark where files put one (start of text or of a line, as in concatenated CSVs). */
const LEADING_BOM = /(^|\n)\ufeff/g;
/** The zero-width joiner inside an emoji sequence (👨‍👩‍👧) and the emoji variation selector. */
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}\ufe0f?)\u200d(?=\p{Extended_Pictographic})/gu;
const INVISIBLE = invisibleCharacters('gu');
/** Built once: a non-global pattern keeps no state between tests. */
const HAS_INVISIBLE = invisibleCharacters('u');
const ENTITY = /&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});?/gi;

/**
 * Letters other scripts lend to spoof Latin ones (Cyrillic, Greek), and the
 * digits and symbols leetspeak uses for letters. Mapped only in `words`.
 */
const LOOKALIKE: Readonly<Record<string, string>> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ɡ: 'g',
  һ: 'h',
  ո: 'n',
  ν: 'v',
  ο: 'o',
  α: 'a',
  ρ: 'p',
  τ: 't',
  ι: 'i',
  κ: 'k',
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};
const LOOKALIKE_LETTER = /[аеорсухіјѕԁɡһոνοαρτικ]/gu;
/** `i g n o r e`, `i.g.n.o.r.e`, `i-g-n-o-r-e`: four or more single letters one separator apart. */
const SPACED_LETTERS = /[a-z](?:[ .\-_*][a-z]){3,}/g;
const WORD_CHAR = /[a-z0-9]/;
/** Anything outside printable ASCII and tab/newline/CR: the text needs the full folding. */
const NOT_PRINTABLE_ASCII = /[^\t\n\r\x20-\x7e]/;
const SPACED_SEPARATOR = /[ .\-_*]/g;
/**
 * Separators between words: whitespace, ASCII punctuation but the apostrophe,
 * Latin-1 punctuation, the General Punctuation block (curly quotes, dashes,
 * invisible operators) and CJK punctuation. ASCII-and-block classes, not
 * Unicode properties: the same split for everyday text at a fraction of the cost.
 */
const NON_WORD = /[\s!-&(-/:-@[-`{-~\u00a0-\u00bf\u2000-\u206f\u3000-\u303f]+/g;
const FENCE_RUN = 30;
const FENCE_TOKENS = 20;

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  amp: '&',
  colon: ':',
  sol: '/',
  lpar: '(',
  rpar: ')',
  grave: '`',
};

/** Head and tail of a long text, so every rule reads a bounded amount. */
export function screenSample(text: string): string {
  if (text.length <= SCREEN_MAX_CHARS) return text;
  return `${text.slice(0, SCREEN_MAX_CHARS / 2)}\n${text.slice(-SCREEN_MAX_CHARS / 2)}`;
}

export function screenViews(text: string): ScreenViews {
  const sample = screenSample(String(text));
  // Printable ASCII (most log lines) is already NFKC, has no surrogate, invisible or look-alike letter.
  const ascii = !NOT_PRINTABLE_ASCII.test(sample);
  const nfkc = ascii ? sample : sample.replace(LONE_SURROGATE, '\ufffd').normalize('NFKC');
  const plain = ascii ? nfkc : nfkc.replace(ANSI_CSI, '').replace(LEADING_BOM, '$1');
  // The emoji-joiner pattern uses a Unicode property: run it only when a joiner is there.
  const visible = plain.includes('\u200d') ? plain.replace(EMOJI_JOINER, '') : plain;
  const hidden = !ascii && HAS_INVISIBLE.test(visible);
  const stripped = hidden ? visible.replace(INVISIBLE, '') : visible;
  // Entity-encoded markup renders as markup wherever it is shown: the rules read it decoded too.
  const decoded = stripped.includes('&') ? stripped.replace(ENTITY, decodeEntity) : stripped;
  const folded = (decoded === stripped ? stripped : `${stripped}\n${decoded}`).toLowerCase();
  const letters = ascii ? folded : folded.replace(LOOKALIKE_LETTER, (c) => LOOKALIKE[c] ?? c);
  const words = ` ${unleet(letters).replace(SPACED_LETTERS, joinSpaced).replace(NON_WORD, ' ')} `;
  return { folded, words, hidden };
}

/**
 * A leet character counts as a letter only beside one (`1gn0re`), never in
 * `10.0.3.7`; the neighbours are read as written (`a11` is `ai1`). A loop,
 * not a look-behind regex: log lines are full of digits and this runs on each.
 */
export function unleet(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    if (!isLeet(text.charCodeAt(i))) continue;
    if (!isLower(text.charCodeAt(i - 1)) && !isLower(text.charCodeAt(i + 1))) continue;
    const c = text.charAt(i);
    out += text.slice(copied, i) + (LOOKALIKE[c] ?? c);
    copied = i + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** `0 1 3 4 5 7 @ $`, the leetspeak characters LOOKALIKE maps. */
function isLeet(c: number): boolean {
  return (
    c === 0x30 ||
    c === 0x31 ||
    c === 0x33 ||
    c === 0x34 ||
    c === 0x35 ||
    c === 0x37 ||
    c === 0x40 ||
    c === 0x24
  );
}

/** `a`..`z`; NaN (outside the text) is not. */
function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

/**
 * `i g n o r e` → `ignore`. A run that touches a word at either end gave that
 * word its first or last letter (`i g n o r e all` matches up to the `a`):
 * that letter goes back to its word, and what is left is joined if it still
 * has four letters.
 */
function joinSpaced(run: string, offset: number, whole: string): string {
  const head = offset > 0 && WORD_CHAR.test(whole.charAt(offset - 1)) ? 2 : 0;
  const tail = WORD_CHAR.test(whole.charAt(offset + run.length)) ? 2 : 0;
  const middle = run.slice(head, run.length - tail);
  if (middle.length < 7) return run;
  return run.slice(0, head) + middle.replace(SPACED_SEPARATOR, '') + run.slice(run.length - tail);
}

/**
 * A fence in `folded`: 30 of one symbol in a row, or one short token 20 times
 * (padding that pushes text out of view). One linear pass; the screen asks
 * only when the rules already weigh enough for the fence to matter.
 */
export function hasFence(text: string): boolean {
  let run = 0;
  let repeats = 0;
  let previousStart = -1;
  let previousLength = 0;
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x20;
    const symbol = c > 0x20 && !isAlphanumeric(c);
    run = symbol && i > 0 && c === text.charCodeAt(i - 1) ? run + 1 : 0;
    if (run + 1 >= FENCE_RUN) return true;
    const space = c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
    if (!space) {
      if (start < 0) start = i;
      continue;
    }
    if (start < 0) continue;
    const length = i - start;
    const same =
      length <= 4 && length === previousLength && sameRun(text, start, previousStart, length);
    repeats = same ? repeats + 1 : 0;
    if (repeats + 1 >= FENCE_TOKENS) return true;
    previousStart = start;
    previousLength = length;
    start = -1;
  }
  return false;
}

/** The `length` characters at `a` and at `b` are the same (no substring cut out). */
function sameRun(text: string, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++)
    if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

function isAlphanumeric(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c > 0x7f
  );
}

function decodeEntity(match: string, ref: string): string {
  const lower = ref.toLowerCase();
  const code = lower.startsWith('#x')
    ? parseInt(lower.slice(2), 16)
    : lower.startsWith('#')
      ? parseInt(lower.slice(1), 10)
      : undefined;
  if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : match;
  return NAMED_ENTITIES[lower] ?? match;
}

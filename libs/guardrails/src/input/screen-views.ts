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
/** A leet character counts as a letter only inside a word (`1gn0re`), never in `10.0.3.7`. */
const LEET_IN_WORD = /(?<=\p{L})[013457@$]|[013457@$](?=\p{L})/gu;
const LOOKALIKE_LETTER = /[аеорсухіјѕԁɡһոνοαρτικ]/gu;
/** `i g n o r e`, `i.g.n.o.r.e`, `i-g-n-o-r-e`: four or more single letters one separator apart. */
const SPACED_LETTERS = /(?<![\p{L}\p{N}])(?:\p{L}[ .\-_*]){3,}\p{L}(?![\p{L}\p{N}])/gu;
const SPACED_SEPARATOR = /[ .\-_*]/g;
const NON_WORD = /[^\p{L}\p{N}']+/gu;

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
  const nfkc = screenSample(String(text)).replace(LONE_SURROGATE, '\ufffd').normalize('NFKC');
  const visible = nfkc.replace(ANSI_CSI, '').replace(LEADING_BOM, '$1').replace(EMOJI_JOINER, '');
  const hidden = invisibleCharacters('u').test(visible);
  const stripped = visible.replace(INVISIBLE, '');
  // Entity-encoded markup renders as markup wherever it is shown: the rules read it decoded too.
  const decoded = stripped.replace(ENTITY, decodeEntity);
  const folded = (decoded === stripped ? stripped : `${stripped}\n${decoded}`).toLowerCase();
  const words = ` ${folded
    .replace(LOOKALIKE_LETTER, (c) => LOOKALIKE[c] ?? c)
    .replace(LEET_IN_WORD, (c) => LOOKALIKE[c] ?? c)
    .replace(SPACED_LETTERS, (run) => run.replace(SPACED_SEPARATOR, ''))
    .replace(NON_WORD, ' ')} `;
  return { folded, words, hidden };
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

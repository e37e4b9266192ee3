/**
 * The anchor words of the screen's rules found in a text, without splitting
 * the text into a token array and a set of every token (that allocation was
 * most of the screen's cost on log lines). Tokens are the runs between spaces
 * and apostrophes (`'echo` is `echo`); only a token whose length and first
 * and last characters fit some anchor word is cut out and looked up, and a log
 * line's numbers, hex ids and paths never fit.
 */
export class AnchorWords {
  private readonly words: ReadonlySet<string>;
  private readonly maxLength: number;
  /** 1 at [length][first char][last char] when some anchor word has that shape. */
  private readonly shapes: Uint8Array;

  /** Anchor words are lowercase ASCII letters and digits (what the `words` view keeps). */
  constructor(words: Iterable<string>) {
    const set = new Set<string>();
    for (const word of words) {
      if (!/^[a-z0-9]{1,40}$/.test(word))
        throw new Error(`not an anchor word: ${JSON.stringify(word)}`);
      set.add(word);
    }
    this.words = set;
    this.maxLength = Math.max(0, ...[...set].map((word) => word.length));
    this.shapes = new Uint8Array((this.maxLength + 1) * SPAN * SPAN);
    for (const word of set) {
      this.shapes[shape(word.length, word.charCodeAt(0), word.charCodeAt(word.length - 1))] = 1;
    }
  }

  /** The anchor words that are tokens of `text`. */
  in(text: string): ReadonlySet<string> {
    const found = new Set<string>();
    let start = 0;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : 0x20;
      if (c !== 0x20 && c !== 0x27) continue;
      const length = i - start;
      if (length > 0 && length <= this.maxLength) {
        const first = text.charCodeAt(start);
        const last = text.charCodeAt(i - 1);
        if (
          isWordChar(first) &&
          isWordChar(last) &&
          this.shapes[shape(length, first, last)] === 1
        ) {
          const token = text.slice(start, i);
          if (this.words.has(token)) found.add(token);
        }
      }
      start = i + 1;
    }
    return found;
  }
}

/** Character codes `0`..`z`: a shape is indexed by first and last character in this span. */
const SPAN = 0x7a - 0x30 + 1;

function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

function shape(length: number, first: number, last: number): number {
  return (length * SPAN + (first - 0x30)) * SPAN + (last - 0x30);
}

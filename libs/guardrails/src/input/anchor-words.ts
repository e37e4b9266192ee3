/**
 * Which groups of anchor words (one group per rule list) have a word among
 * the tokens of a text, found in one pass without splitting the text into a
 * token array and a set of every token (that allocation, then one set lookup
 * per anchor per rule, was most of the screen's cost on log lines). Tokens
 * are the runs between spaces and apostrophes (`'echo` is `echo`); only a
 * token whose length and first and last characters fit some anchor word is
 * cut out and looked up, and a log line's numbers, hex ids and paths never fit.
 */
export class AnchorWords {
  /** Each anchor word and the groups it belongs to. */
  private readonly groupsOf: ReadonlyMap<string, readonly number[]>;
  private readonly groupCount: number;
  private readonly maxLength: number;
  /** 1 at [length][first char][last char] when some anchor word has that shape. */
  private readonly shapes: Uint8Array;

  /** Anchor words are lowercase ASCII letters and digits (what the `words` view keeps). */
  constructor(groups: readonly (readonly string[])[]) {
    const groupsOf = new Map<string, number[]>();
    groups.forEach((group, index) => {
      for (const word of group) {
        if (!/^[a-z0-9]{1,40}$/.test(word)) {
          throw new Error(`not an anchor word: ${JSON.stringify(word)}`);
        }
        const list = groupsOf.get(word) ?? [];
        if (!list.includes(index)) list.push(index);
        groupsOf.set(word, list);
      }
    });
    this.groupsOf = groupsOf;
    this.groupCount = groups.length;
    this.maxLength = Math.max(0, ...[...groupsOf.keys()].map((word) => word.length));
    this.shapes = new Uint8Array((this.maxLength + 1) * SPAN * SPAN);
    for (const word of groupsOf.keys()) {
      this.shapes[shape(word.length, word.charCodeAt(0), word.charCodeAt(word.length - 1))] = 1;
    }
  }

  /** 1 at each group that has a word among the tokens of `text`. */
  in(text: string): Uint8Array {
    const present = new Uint8Array(this.groupCount);
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
          const groups = this.groupsOf.get(text.slice(start, i));
          if (groups !== undefined) for (const group of groups) present[group] = 1;
        }
      }
      start = i + 1;
    }
    return present;
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

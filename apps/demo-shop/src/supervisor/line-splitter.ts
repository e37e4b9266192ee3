// A copy of libs/integrations/src/runtime/line-splitter.ts (the Docker log demuxer's):
// the shop imports nothing of the crew, and 50 lines are cheaper than a shared lib both
// sides would have to agree on.
import { StringDecoder } from 'node:string_decoder';

/**
 * One line may not grow without bound: a process that prints megabytes without
 * a newline would otherwise hold them all. Longer lines are cut into pieces of
 * this many characters (Docker itself splits lines at 16 KiB).
 */
export const MAX_LOG_LINE_CHARS = 8 * 1024;

/**
 * Bytes of one stream in, whole lines out: UTF-8 decoded across chunk
 * boundaries (a multibyte character split between two chunks stays whole),
 * split on `\n`, a trailing `\r` dropped.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly maxLineChars: number = MAX_LOG_LINE_CHARS) {}

  /** The lines this chunk completed, oldest first. */
  push(chunk: Buffer): string[] {
    return this.split(this.pending + this.decoder.write(chunk));
  }

  /** Whatever is left without a final newline. */
  end(): string[] {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    return rest === '' ? [] : this.wrap(stripCr(rest));
  }

  private split(text: string): string[] {
    const parts = text.split('\n');
    this.pending = parts.pop() ?? '';
    const lines = parts.flatMap((line) => this.wrap(stripCr(line)));
    if (this.pending.length > this.maxLineChars) {
      const whole = Math.floor(this.pending.length / this.maxLineChars) * this.maxLineChars;
      lines.push(...this.wrap(this.pending.slice(0, whole)));
      this.pending = this.pending.slice(whole);
    }
    return lines;
  }

  private wrap(line: string): string[] {
    if (line.length <= this.maxLineChars) return [line];
    const pieces: string[] = [];
    for (let i = 0; i < line.length; i += this.maxLineChars) {
      pieces.push(line.slice(i, i + this.maxLineChars));
    }
    return pieces;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

import { readFileSync } from 'node:fs';
import { NabInputError } from './nab-input.error';

/** A NAB CSV (data or results): the timestamp column and one numeric column. */
export interface NabCsv {
  timestamps: string[];
  /** NaN where the cell is empty. */
  values: number[];
}

/**
 * Reads `timestamp` and `column` from a NAB CSV. NAB's files are plain comma-separated
 * values without quoting, so a split per line is the whole grammar.
 */
export function readNabCsv(path: string, column: string): NabCsv {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((cell) => cell.trim());
  const timeAt = header.indexOf('timestamp');
  const valueAt = header.indexOf(column);
  if (timeAt < 0 || valueAt < 0) {
    throw new NabInputError(
      `${path}: expected a header with timestamp and ${column}, got "${header.join(',')}"`,
    );
  }
  const timestamps: string[] = [];
  const values: number[] = [];
  lines.forEach((line, i) => {
    const cells = line.split(',');
    const cell = (cells[valueAt] ?? '').trim();
    const value = cell === '' ? Number.NaN : Number(cell);
    if (cell !== '' && !Number.isFinite(value)) {
      // Line i + 2: the header is line 1.
      throw new NabInputError(`${path}:${i + 2}: ${column} "${cell}" is not a number`);
    }
    timestamps.push((cells[timeAt] ?? '').trim());
    values.push(value);
  });
  return { timestamps, values };
}

import { screenText } from '@opscrew/guardrails';
import { readFileSync } from 'node:fs';
import { emit, round } from './bench-output';

/**
 * `node dist/bench/screen-external.js FILE.jsonl [FIELD]`: the input screen's
 * flag rate on a corpus that may not be copied into the repo (Tensor Trust's
 * benchmarks carry no licence for redistribution): one JSON object per line,
 * the text in FIELD (default `attack`). Not part of `npm run bench`, which
 * reads repo files only.
 */
function main(): void {
  const [file, field = 'attack'] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: screen-external FILE.jsonl [FIELD]');
  const texts = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as Record<string, unknown>)[field])
    .filter((value): value is string => typeof value === 'string');
  const flagged = texts.filter((text) => screenText(text).flagged).length;
  emit({
    bench: 'instruction_screen_external',
    file,
    field,
    texts: texts.length,
    flagged,
    rate: round(texts.length === 0 ? 0 : flagged / texts.length, 3),
  });
}

main();

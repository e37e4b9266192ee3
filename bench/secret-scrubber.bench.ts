import { configuredSecrets, scrubSecrets } from '@opscrew/contracts';
import { fakeToken, ORDINARY_LINES, SECRET_SHAPES } from '@opscrew/testing';
import { emit, median, nowMs, round } from './bench-output';

/** Per-KB cost the scrubber must stay under on ordinary and on secret-dense text. */
const TARGET_US_PER_KB = 50;
/** Doubling a hostile input may at most multiply the time by this (2 is linear; noise allowed). */
const LINEAR_RATIO_MAX = 3;
const ROUNDS = 7;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The secret scrubber runs on every log line, audit record, chat and ticket
 * text and model input: its cost per KB on ordinary log text and on
 * secret-dense text (10 configured secrets registered, as an agent has), and
 * a linearity check on inputs built to make a careless regex backtrack.
 */
export function benchSecretScrubber(): void {
  configuredSecrets.clear();
  for (let i = 0; i < 10; i++) configuredSecrets.register(fakeToken(BASE62, 48, 1000 + i));
  const corpora = [
    // What the log hook scrubs: whole pino lines (~200 B), message plus the bound fields.
    ['ordinary log text (pino lines)', ORDINARY_LINES.map(pinoLine)],
    ['secret-dense text (pino lines)', SECRET_SHAPES.map((shape) => pinoLine(shape.line))],
    // Bare short messages (~40 B): the fixed cost per call dominates.
    ['ordinary short lines', [...ORDINARY_LINES]],
  ] as const;
  for (const [corpus, lines] of corpora) {
    const text = repeatTo(lines.join('\n'), 64 * 1024);
    const usPerKb = costPerKb(text);
    emit({
      bench: 'secret-scrubber',
      metric: 'us_per_kb',
      corpus,
      kb: round(text.length / 1024),
      value: round(usPerKb),
      target: TARGET_US_PER_KB,
      ok: usPerKb <= TARGET_US_PER_KB,
    });
  }
  for (const [name, unit] of HOSTILE) {
    // Large enough that timer noise and a GC pause do not decide the ratio.
    const small = costMs(repeatTo(unit, 256 * 1024));
    const large = costMs(repeatTo(unit, 512 * 1024));
    const ratio = large / Math.max(small, 1e-6);
    emit({
      bench: 'secret-scrubber',
      metric: 'hostile_doubling_ratio',
      corpus: name,
      ms_256kb: round(small, 3),
      ms_512kb: round(large, 3),
      value: round(ratio),
      target: LINEAR_RATIO_MAX,
      ok: ratio <= LINEAR_RATIO_MAX,
    });
  }
  configuredSecrets.clear();
}

/** Inputs that would be quadratic under a backtracking-prone expression. */
const HOSTILE: readonly (readonly [string, string])[] = [
  ['one long token run', 'a'],
  ['repeated password=', 'password='],
  ['repeated scheme://user:', 'https://u:'],
  ['repeated Bearer', 'Bearer '],
  ['PEM begin without end', '-----BEGIN PRIVATE KEY-----'],
  ['dotted token parts', 'abcdefghijklmnopqrstuvwx.abcdef.'],
  ['quote without end', 'password: "'],
  ['configured prefix repeated', 'sk-ant-a'],
];

function pinoLine(msg: string): string {
  return JSON.stringify({
    level: 30,
    time: '2026-12-07T03:00:00.000Z',
    pid: 4242,
    agent: 'ops-monitor',
    context: 'IncidentManager',
    msg,
  });
}

function repeatTo(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

function costMs(text: string): number {
  scrubSecrets(text);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = nowMs();
    scrubSecrets(text);
    times.push(nowMs() - start);
  }
  return median(times);
}

function costPerKb(text: string): number {
  // Scrubbed as log lines are: one call per line, not one call on the whole corpus.
  const lines = text.split('\n');
  for (const line of lines) scrubSecrets(line);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = nowMs();
    for (const line of lines) scrubSecrets(line);
    times.push(nowMs() - start);
  }
  return (median(times) * 1000) / (text.length / 1024);
}

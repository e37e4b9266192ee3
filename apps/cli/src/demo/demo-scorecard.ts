import { type StepResult } from './demo-story';

/** One scored run as demo-controller's `GET /scorecard` lists it under `recent`. */
interface ScoredRun {
  readonly scenario: string;
  readonly false_positives: number;
  readonly missed: number;
  readonly restarts_during_lock: number;
  readonly summary: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function scoredRun(value: unknown): ScoredRun | null {
  if (!isRecord(value)) return null;
  const { scenario, false_positives, missed, restarts_during_lock, summary } = value;
  if (
    typeof scenario !== 'string' ||
    typeof false_positives !== 'number' ||
    typeof missed !== 'number' ||
    typeof restarts_during_lock !== 'number' ||
    typeof summary !== 'string'
  )
    return null;
  return { scenario, false_positives, missed, restarts_during_lock, summary };
}

/**
 * demo-controller's own verdict on the story's runs, as a step of the story: the crew's
 * scorecard must show no false positive, no miss and no restart under a held lock. Each scored
 * run's summary is printed, so a failed story names the run and the (service, symptom) pair
 * that was wrong, not only a count. An answer that is missing or malformed fails the step: a
 * scorecard nobody can read proves nothing.
 */
export function scorecardStep(scorecard: unknown, say: (line: string) => void): StepResult {
  const now = new Date().toISOString();
  const recent = isRecord(scorecard) && Array.isArray(scorecard.recent) ? scorecard.recent : null;
  const runs = (recent ?? []).map(scoredRun);
  const readable = recent !== null && runs.every((run) => run !== null);
  const scored = runs.filter((run): run is ScoredRun => run !== null);
  for (const run of scored) say(`  scored: ${run.summary}`);
  const wrong = scored.filter(
    (run) => run.false_positives > 0 || run.missed > 0 || run.restarts_during_lock > 0,
  );
  return {
    name: "demo-controller's scorecard",
    started_at: now,
    finished_at: now,
    expectations: [
      {
        what: 'the scorecard answered',
        ok: readable,
        detail: readable
          ? `${scored.length} run(s) scored`
          : `unreadable answer: ${JSON.stringify(scorecard)?.slice(0, 300) ?? 'none'}`,
      },
      {
        what: 'no false positive, no miss, no restart during a lock in any scored run',
        ok: readable && wrong.length === 0,
        detail: wrong.length === 0 ? 'none' : wrong.map((run) => run.summary).join(' | '),
      },
    ],
  };
}

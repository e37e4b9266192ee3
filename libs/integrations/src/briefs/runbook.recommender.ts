import { type RunbooksConfig } from '@opscrew/config';

/**
 * The runbook a ticket recommends for a symptom, before anyone has looked at
 * logs: among the runbooks that list the symptom, prefer one that needs no
 * evidence (an OOM runbook is only right once OOMKilled is seen), then the one
 * that lists the symptom earliest (its main purpose), then the most specific
 * (fewest symptoms). null: none matches, and the ticket says so.
 */
export function recommendRunbook(symptom: string, runbooks: RunbooksConfig): string | null {
  let best: { name: string; score: number } | null = null;
  for (const [name, runbook] of runbooks.patterns) {
    const position = runbook.match.symptoms.indexOf(symptom);
    if (position < 0) continue;
    const score =
      (runbook.match.evidence.length > 0 ? 10_000 : 0) +
      position * 100 +
      runbook.match.symptoms.length;
    if (!best || score < best.score) best = { name, score };
  }
  return best?.name ?? null;
}

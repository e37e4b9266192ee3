import { type RunbooksConfig } from '@opscrew/config';

export interface RunbookMatch {
  readonly name: string;
  /** Why this one: the evidence strings found, or the symptom it lists. */
  readonly why: string;
}

/**
 * Picks the runbook for an incident. Evidence beats symptoms: a runbook whose
 * evidence strings (`OOMKilled`, `exit code 137`, `pool exhausted`…) appear in
 * what triage saw wins — the one with the most distinct hits — provided it
 * also lists the incident's symptom or the evidence is unambiguous (≥ 2 hits).
 * Otherwise the symptom alone decides, among runbooks that need no evidence
 * (an OOM runbook is wrong without OOM evidence) or are dedicated to exactly
 * that symptom. null: nothing matches.
 */
export function matchRunbook(
  symptom: string,
  evidence: string,
  runbooks: RunbooksConfig,
): RunbookMatch | null {
  const haystack = evidence.toLowerCase();
  let best: { name: string; hits: string[]; listsSymptom: boolean } | null = null;
  for (const [name, runbook] of runbooks.patterns) {
    const hits = [
      ...new Set(
        runbook.match.evidence.filter((needle) => haystack.includes(needle.toLowerCase())),
      ),
    ];
    if (hits.length === 0) continue;
    const listsSymptom = runbook.match.symptoms.includes(symptom);
    if (!listsSymptom && hits.length < 2) continue;
    if (
      !best ||
      hits.length > best.hits.length ||
      (hits.length === best.hits.length && listsSymptom && !best.listsSymptom)
    ) {
      best = { name, hits, listsSymptom };
    }
  }
  if (best) return { name: best.name, why: `evidence: ${best.hits.join(', ')}` };

  let bySymptom: { name: string; position: number; size: number } | null = null;
  for (const [name, runbook] of runbooks.patterns) {
    // A runbook dedicated to exactly this symptom needs no evidence to be the right one.
    const dedicated = runbook.match.symptoms.length === 1 && runbook.match.symptoms[0] === symptom;
    if (runbook.match.evidence.length > 0 && !dedicated) continue;
    const position = runbook.match.symptoms.indexOf(symptom);
    if (position < 0) continue;
    const size = runbook.match.symptoms.length;
    if (
      !bySymptom ||
      position < bySymptom.position ||
      (position === bySymptom.position && size < bySymptom.size)
    ) {
      bySymptom = { name, position, size };
    }
  }
  return bySymptom ? { name: bySymptom.name, why: `symptom ${symptom}` } : null;
}

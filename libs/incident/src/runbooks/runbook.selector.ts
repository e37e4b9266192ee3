/**
 * The one runbook selector: the ticket's recommendation (the brief, before anyone looked) and
 * jira-resolver's choice (after triage gathered evidence) both come from here. Two selectors
 * once ranked differently (one preferred evidence-free runbooks by a score, the other dropped
 * runbooks that need evidence), so a ticket could recommend one runbook and the crew run
 * another on the same facts.
 *
 * Takes the narrow shape below, which libs/config's RunbooksConfig satisfies as it is: the
 * domain reads runbooks, it does not load them.
 */

/** What a runbook says it handles (config `match`). */
export interface RunbookMatchRule {
  /** Detector symptoms, main purpose first. */
  readonly symptoms: readonly string[];
  /** Strings that, found in logs or container state, make the runbook the right one. */
  readonly evidence: readonly string[];
}

/** A runbook as the selector sees it. */
export interface SelectableRunbook {
  readonly match: RunbookMatchRule;
}

/** The runbooks by name (config `thresholds.runbooks`). */
export interface RunbookCatalog<R extends SelectableRunbook = SelectableRunbook> {
  readonly patterns: ReadonlyMap<string, R>;
}

export interface RunbookMatch {
  readonly name: string;
  /** Why this one: the evidence strings found, or the symptom it lists. */
  readonly why: string;
}

/**
 * Picks the runbook for an incident.
 *
 * Evidence beats symptoms: a runbook whose evidence strings (`OOMKilled`, `exit code 137`,
 * `pool exhausted`…) appear in `evidence` wins — the one with the most distinct hits, a runbook
 * listing the symptom on a tie — provided it lists the incident's symptom or the evidence is
 * unambiguous (≥ 2 hits).
 *
 * Otherwise the symptom decides, among runbooks listing it: one that needs no evidence, or is
 * dedicated to exactly that symptom, ranks first (an OOM runbook is wrong without OOM
 * evidence); then the one listing the symptom earliest (its main purpose); then the most
 * specific (fewest symptoms).
 *
 * `evidence` null means nobody has looked yet (a new ticket): a runbook that needs evidence may
 * still be recommended, after every runbook that does not, and its `why` names what it awaits.
 * A string (even empty) means triage looked: evidence not found rules such a runbook out.
 * null result: nothing matches.
 */
export function selectRunbook(
  symptom: string,
  evidence: string | null,
  runbooks: RunbookCatalog,
): RunbookMatch | null {
  if (evidence !== null) {
    const byEvidence = matchEvidence(symptom, evidence, runbooks);
    if (byEvidence) return byEvidence;
  }
  let best: { name: string; awaits: readonly string[]; rank: readonly number[] } | null = null;
  for (const [name, runbook] of runbooks.patterns) {
    const { symptoms, evidence: needles } = runbook.match;
    const position = symptoms.indexOf(symptom);
    if (position < 0) continue;
    // A runbook dedicated to exactly this symptom needs no evidence to be the right one.
    const dedicated = symptoms.length === 1;
    const awaits = needles.length > 0 && !dedicated ? needles : [];
    if (awaits.length > 0 && evidence !== null) continue;
    const rank = [awaits.length > 0 ? 1 : 0, position, symptoms.length];
    if (!best || before(rank, best.rank)) best = { name, awaits, rank };
  }
  if (!best) return null;
  return {
    name: best.name,
    why:
      `symptom ${symptom}` +
      (best.awaits.length > 0 ? ` (if the evidence shows: ${best.awaits.join(', ')})` : ''),
  };
}

/** The runbook the evidence names, or null when it names none convincingly. */
function matchEvidence(
  symptom: string,
  evidence: string,
  runbooks: RunbookCatalog,
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
  return best ? { name: best.name, why: `evidence: ${best.hits.join(', ')}` } : null;
}

/** Lexicographic order of two ranks of equal length: strictly before (a tie keeps the first). */
function before(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

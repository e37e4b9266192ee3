import { wrapUntrusted } from '../untrusted-data';
import {
  type AllowedAction,
  type EvidenceItem,
  type IncidentFacts,
  type IncidentHistoryStep,
} from './incident-reasoning.types';

/** The incident's facts as the model reads them: ledger values, still wrapped (names come from metrics). */
function facts(incident: IncidentFacts): string {
  return wrapUntrusted('incident-ledger', JSON.stringify(incident, null, 2));
}

function evidenceBlock(evidence: readonly EvidenceItem[]): string {
  if (evidence.length === 0) return 'No evidence was collected.';
  return evidence.map((item) => wrapUntrusted(item.source, item.text)).join('\n\n');
}

export const TRIAGE_SYSTEM =
  'You are the triage step of an SRE crew. From the incident and the evidence, state the most ' +
  'probable cause and what an engineer should check first. Answer with only one JSON object, ' +
  'no code fence and no other text: {"probable_cause": string, "what_to_check": [string, …]} ' +
  '(1 to 10 checks).';

export function triagePrompt(incident: IncidentFacts, evidence: readonly EvidenceItem[]): string {
  return `Incident:\n${facts(incident)}\n\nEvidence:\n${evidenceBlock(evidence)}`;
}

export const PROPOSAL_SYSTEM =
  'You are the remediation step of an SRE crew. Choose at most one action from the allowed list ' +
  'that is likely to fix the incident, or none when no listed action would help (for example when ' +
  'a dependency is failing). Answer with only one JSON object, no code fence and no other text: ' +
  '{"action": <an allowed action name, or null>, "params": {<only that action\u2019s parameters>: string}}. ' +
  'Your proposal is checked by policy before anything happens.';

export function proposalPrompt(
  incident: IncidentFacts,
  evidence: readonly EvidenceItem[],
  allowed: readonly AllowedAction[],
): string {
  const actions = allowed.map((a) => ({
    action: a.action,
    description: a.description,
    params: a.params ?? {},
  }));
  return (
    `Incident:\n${facts(incident)}\n\nEvidence:\n${evidenceBlock(evidence)}\n\n` +
    `Allowed actions (trusted, from the crew's configuration):\n${JSON.stringify(actions, null, 2)}`
  );
}

export const POSTMORTEM_SYSTEM =
  'You draft blameless postmortems for an SRE crew in Markdown: Summary, Timeline, Root cause ' +
  '(say what is known and what is not), What went well / what did not, Action items. Use only the ' +
  'facts given; do not invent times or numbers. No links, no mentions.';

export function postmortemPrompt(
  incident: IncidentFacts,
  history: readonly IncidentHistoryStep[],
): string {
  return `Incident:\n${facts(incident)}\n\nHistory:\n${wrapUntrusted('incident-history', JSON.stringify(history, null, 2))}`;
}

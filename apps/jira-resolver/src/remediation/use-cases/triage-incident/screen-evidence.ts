import { type Logger } from '@nestjs/common';
import { type RemediationRunRecord } from '@opscrew/contracts';
import { screenText } from '@opscrew/guardrails';
import { type AuditSink } from '@opscrew/ports';

/**
 * Logs are the watched system's words, and an attacker can write to them:
 * instruction-like text is recorded in the audit trail (where it came from,
 * what it looked like). Nothing else changes — the evidence is only ever
 * matched by code against runbook strings, never obeyed.
 */
export async function screenEvidence(
  run: RemediationRunRecord,
  text: string,
  audit: AuditSink,
  logger: Logger,
): Promise<void> {
  const screened = screenText(text);
  if (!screened.flagged) return;
  logger.warn(
    `${run.incident_id}: instruction-like text in ${run.service}'s logs (${screened.findings.join(', ')}): kept as data`,
  );
  await audit.record({
    agent: 'jira-resolver',
    action: 'input.screened',
    verdict: 'allowed',
    result: `instruction-like text in the logs of ${run.service} (${screened.findings.join(', ')}): kept as data, not obeyed`,
    input: { incident: run.incident_id, evidence: text },
    incident_id: run.incident_id,
  });
}

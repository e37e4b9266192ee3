import { type RemediationRunRecord, SUBJECTS } from '@opscrew/contracts';
import { fingerprintKey } from '@opscrew/incident';
import { type PublisherLike } from '../remediation.deps';

/** The incident's fingerprint as ops-monitor folds it: service and symptom. */
export function fingerprint(run: RemediationRunRecord): string {
  return fingerprintKey(run.service, run.symptom);
}

/** `remediation.started`, once per run (the id makes a repeat a duplicate): which runbook, if any. */
export async function publishStarted(
  publisher: PublisherLike,
  run: RemediationRunRecord,
  runbook: string,
  mode: 'act' | 'observe',
): Promise<void> {
  await publisher.publish(
    SUBJECTS.remediationStarted,
    { incident_id: run.incident_id, run_id: run.run_id, service: run.service, runbook, mode },
    { id: `remediation.started.${run.incident_id}.${run.run_id}` },
  );
}

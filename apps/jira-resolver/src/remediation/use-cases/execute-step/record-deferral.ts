import { type Logger } from '@nestjs/common';
import { type RunbookStepConfig } from '@opscrew/config';
import { SUBJECTS } from '@opscrew/contracts';
import { type AuditSink } from '@opscrew/ports';
import { type TicketGateway } from '../../../tickets/ticket.gateway';
import { type StepOutcome } from '../../actions/runbook-action';
import { type PublisherLike } from '../../remediation.deps';
import { fingerprint } from '../../run/run-events';
import { type RunSession } from '../../run/run-session';

type Deferral = Extract<StepOutcome, { kind: 'defer' }>;

/**
 * A step deferred to a lock holder or a guard: the run waits in `deferred`. The first time for a
 * holder the decision is told (log, audit, ticket, incident.updated); re-deferring to the same
 * one writes only the run. True when this was the first time (the caller's own telling follows).
 */
export async function recordDeferral(
  session: RunSession,
  step: RunbookStepConfig,
  outcome: Deferral,
  ports: {
    readonly audit: AuditSink;
    readonly tickets: Pick<TicketGateway, 'comment'>;
    readonly publisher: PublisherLike;
  },
  logger: Logger,
): Promise<boolean> {
  const run = session.run;
  const kind = outcome.deferral ?? 'lock';
  const first =
    session.run.deferred?.holder !== outcome.holder ||
    (session.run.deferred.kind ?? 'lock') !== kind;
  await session.save({
    ...session.run,
    state: 'deferred',
    deferred: { kind, holder: outcome.holder, until: outcome.until, reason: outcome.reason },
    next_at: outcome.until,
  });
  if (!first) return false;
  const why =
    kind === 'guard'
      ? `deferred until ${outcome.until}: ${outcome.reason}`
      : `deferred: ${outcome.holder} holds ${run.service} until ${outcome.until}`;
  logger.log(`${run.incident_id}: ${why}`);
  // A decision not to act is on the trail too: the lock or the guard said no, nothing was touched.
  await ports.audit.record({
    agent: 'jira-resolver',
    action: `remediation.${step.action}`,
    verdict: 'refused',
    result: why.slice(0, 1900),
    input: { incident: run.incident_id, step: step.step, action: step.action },
    incident_id: run.incident_id,
  });
  await ports.tickets.comment(run, `${run.run_id}:deferred:${outcome.holder}`, why);
  await ports.publisher.publish(
    SUBJECTS.incidentUpdated,
    {
      incident_id: run.incident_id,
      fingerprint: fingerprint(run),
      note: `remediation ${why}`.slice(0, 2000),
    },
    {
      id: `incident.updated.${run.incident_id}.deferred.${run.run_id}.${outcome.holder}`.replace(
        /[^A-Za-z0-9_.-]/g,
        '-',
      ),
    },
  );
  return true;
}

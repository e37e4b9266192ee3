import { Injectable } from '@nestjs/common';
import { type ReportContent, type ReportProducer } from '@opscrew/agent-core';
import { IncidentLedger } from '@opscrew/messaging';
import { RemediationRunsRepository } from '../remediation/remediation-runs.repository';
import { resolverWindow } from './resolver-window';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Escalations named one by one; more are counted (the ledger has them all). */
const ESCALATIONS_QUOTED = 5;
/** Runbooks listed; the rest are counted. */
const RUNBOOKS_QUOTED = 8;

/**
 * `jira-resolver-daily` (09:30 by default, staggered after ops-monitor's): tickets worked in the
 * last 24 h, the auto-resolution rate, MTTR, escalations, and what each runbook did.
 */
@Injectable()
export class JiraResolverDailyReport implements ReportProducer {
  readonly name = 'jira-resolver-daily';

  constructor(
    private readonly runs: RemediationRunsRepository,
    private readonly ledger: IncidentLedger,
  ) {}

  async build(now: Date): Promise<ReportContent> {
    const day = resolverWindow(
      await this.runs.all(),
      await this.ledger.list(),
      now.getTime() - DAY_MS,
      now.getTime() + 1,
    );
    const rate = day.auto_resolution_ratio === null ? 'n/a' : percent(day.auto_resolution_ratio);
    const mttr = day.mttr_s === null ? 'n/a' : duration(day.mttr_s);
    const lines = [
      `Last 24 h: ${day.worked} ticket(s) worked — ${day.succeeded} fixed and verified, ` +
        `${day.failed} failed, ${day.skipped} skipped, ${day.in_progress} still in progress.`,
      `Auto-resolution rate ${rate}; MTTR ${mttr} over ${day.resolved} resolved incident(s).`,
    ];
    if (day.escalations.length === 0) {
      lines.push('Escalations: none.');
    } else {
      lines.push(`Escalations: ${day.escalations.length}`);
      for (const e of day.escalations.slice(0, ESCALATIONS_QUOTED))
        lines.push(`- ${e.incident_id} (${e.service}) at ${e.at}`);
      if (day.escalations.length > ESCALATIONS_QUOTED)
        lines.push(`- and ${day.escalations.length - ESCALATIONS_QUOTED} more`);
    }
    if (day.by_runbook.length > 0) {
      lines.push('Actions by runbook:');
      for (const r of day.by_runbook.slice(0, RUNBOOKS_QUOTED)) {
        const actions = r.actions.map((a) => `${a.action} ×${a.count}`).join(', ');
        lines.push(
          `- ${r.runbook}: ${r.runs} run(s), ${r.succeeded} succeeded${actions ? ` (${actions})` : ''}`,
        );
      }
      if (day.by_runbook.length > RUNBOOKS_QUOTED)
        lines.push(`- and ${day.by_runbook.length - RUNBOOKS_QUOTED} more runbook(s)`);
    }
    return {
      title: `jira-resolver daily report ${now.toISOString().slice(0, 10)}`,
      text: lines.join('\n'),
      fields: {
        worked: day.worked,
        auto_resolution: rate,
        mttr,
        escalations: day.escalations.length,
        runbooks_used: day.by_runbook.length,
      },
    };
  }
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

/** `95 s`, `12 min 5 s`, `2 h 3 min`: MTTR read at a glance. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

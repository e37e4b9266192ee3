import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FaultFigures, figuresPass } from './fault-accounting';
import { type ExperimentOutcome } from './experiment';

export type ExperimentStatus = 'passed' | 'failed' | 'skipped' | 'error';

/** One object of faults.json. */
export interface ExperimentReport {
  readonly experiment: string;
  readonly title: string;
  readonly status: ExperimentStatus;
  /** Why it did not run (status skipped), or what broke the experiment itself (status error). */
  readonly reason?: string;
  readonly mode: 'short' | 'full';
  /** The world's shape: processes per agent and NATS nodes. */
  readonly world: { readonly replicas: number; readonly nats_nodes: number };
  readonly rounds?: number;
  readonly figures?: FaultFigures;
  /** Fault end → every agent healthy again (s): per round, and the worst. */
  readonly recover_s?: readonly number[];
  readonly recover_max_s?: number | null;
  readonly checks?: Readonly<Record<string, boolean>>;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly duration_s: number;
  readonly started_at: string;
}

/** An outcome judged: passed when nothing was lost or duplicated and every check held. */
export function judge(outcome: ExperimentOutcome): ExperimentStatus {
  const checks = Object.values(outcome.checks ?? {});
  return figuresPass(outcome.figures) && checks.every(Boolean) ? 'passed' : 'failed';
}

export function reportOf(
  base: Pick<
    ExperimentReport,
    'experiment' | 'title' | 'mode' | 'world' | 'started_at' | 'duration_s'
  >,
  outcome: ExperimentOutcome,
): ExperimentReport {
  const finite = outcome.recover_s.filter(Number.isFinite);
  return {
    ...base,
    status: judge(outcome),
    rounds: outcome.rounds,
    figures: outcome.figures,
    recover_s: outcome.recover_s.map((value) => Math.round(value * 10) / 10),
    // A round whose crew never became healthy again (NaN) makes the worst unknown: null.
    recover_max_s:
      finite.length === outcome.recover_s.length && finite.length > 0
        ? Math.round(Math.max(...finite) * 10) / 10
        : null,
    ...(outcome.checks ? { checks: outcome.checks } : {}),
    ...(outcome.details ? { details: outcome.details } : {}),
  };
}

/** faults.json in `dir`, written whole (temp file + rename): a reader never sees half a run. */
export function writeReport(dir: string, reports: readonly ExperimentReport[]): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'faults.json');
  const temp = `${file}.tmp`;
  writeFileSync(temp, `${JSON.stringify(reports, null, 2)}\n`);
  renameSync(temp, file);
  return file;
}

/** The one line per experiment the runner prints. */
export function summaryLine(report: ExperimentReport): string {
  const head =
    `${report.status.toUpperCase().padEnd(7)} ${report.experiment} ` +
    `[${report.world.replicas}×agent, ${report.world.nats_nodes} NATS]`;
  if (report.status === 'skipped' || report.status === 'error' || report.figures === undefined)
    // One line, whatever the reason holds (a config error lists its problems on lines of their own).
    return `${head}: ${(report.reason ?? '?').replace(/\s*\n\s*/g, ' ')} (${report.duration_s} s)`;
  const f = report.figures;
  const checks = Object.entries(report.checks ?? {})
    .map(([name, ok]) => `${name}=${ok ? 'yes' : 'NO'}`)
    .join(' ');
  return (
    `${head}: ${f.incidents_injected} injected, ${f.ended_done} done, ${f.ended_escalated} escalated, ` +
    `${f.lost} lost, dup incidents/tickets/restarts/notifications ` +
    `${f.duplicate_incidents}/${f.duplicate_tickets}/${f.duplicate_restarts}/${f.duplicate_notifications}, ` +
    `at-least-once ${f.at_least_once_repeats}/${f.at_least_once_bound}, lock overlaps ${f.lock_overlaps}, ` +
    `unattributed ${f.unattributed_incidents}, recover max ${report.recover_max_s ?? '?'} s` +
    `${checks ? `, ${checks}` : ''} (${report.duration_s} s)`
  );
}

import { Injectable } from '@nestjs/common';
import { type ReportContent, type ReportProducer } from '@opscrew/agent-core';
import { SEVERITIES } from '@opscrew/contracts';
import { IncidentLedger } from '@opscrew/messaging';
import { AccuracyFeedbackReader } from '../quality/accuracy-feedback.reader';
import { QualityTracker } from '../quality/quality.tracker';
import { incidentWindow } from './incident-window';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Noisy services named in the report: the ones worth a look, not the whole fleet. */
const TOP_NOISY = 5;
/** Missing-data entries quoted; the rest are counted (GET /quality has them all). */
const MISSING_QUOTED = 5;

/**
 * `ops-monitor-daily` (09:00 by default, staggered from the other agents' reports): incidents
 * opened, resolved and escalated in the last 24 h, the noisiest services, and data quality
 * (coverage, actionability, accuracy against demo-controller's ground truth, missing data).
 */
@Injectable()
export class OpsMonitorDailyReport implements ReportProducer {
  readonly name = 'ops-monitor-daily';

  constructor(
    private readonly ledger: IncidentLedger,
    private readonly quality: QualityTracker,
    private readonly feedback: AccuracyFeedbackReader,
  ) {}

  async build(now: Date): Promise<ReportContent> {
    this.quality.recordAccuracy(await this.feedback.read());
    const quality = this.quality.report();
    const window = incidentWindow(
      await this.ledger.list(),
      now.getTime() - DAY_MS,
      now.getTime() + 1,
    );
    const severities = SEVERITIES.filter((s) => window.by_severity.has(s))
      .map((s) => `${window.by_severity.get(s) ?? 0} ${s}`)
      .join(', ');
    const lines = [
      `Last 24 h: ${window.opened} incident(s) opened${severities ? ` (${severities})` : ''}, ` +
        `${window.resolved} resolved, ${window.escalated} escalated.`,
    ];
    if (window.noisy.length > 0) {
      lines.push('Noisiest services:');
      for (const s of window.noisy.slice(0, TOP_NOISY))
        lines.push(`- ${s.service}: ${s.incidents} incident(s), ${s.detections} detection(s)`);
    } else {
      lines.push('Noisiest services: none (no incident opened).');
    }
    lines.push(
      `Data quality over ${quality.cycles} cycle(s): completeness ${ratio(quality.completeness_ratio)} ` +
        `(target ${ratio(quality.targets.completeness_ratio)}), actionability ${ratio(quality.actionability_ratio)} ` +
        `(target ${ratio(quality.targets.actionability_ratio)}), accuracy ${ratio(quality.accuracy_ratio)} ` +
        `(target ${ratio(quality.targets.accuracy_ratio)}).`,
    );
    if (quality.unchecked_services.length > 0)
      lines.push(`Not checked last cycle: ${quality.unchecked_services.join(', ')}.`);
    for (const missing of quality.missing_data.slice(0, MISSING_QUOTED))
      lines.push(
        `- missing ${missing.service} ${missing.metric} since ${missing.since}: ${missing.reason}`,
      );
    if (quality.missing_data.length > MISSING_QUOTED)
      lines.push(`- and ${quality.missing_data.length - MISSING_QUOTED} more missing metric(s)`);
    return {
      title: `ops-monitor daily report ${now.toISOString().slice(0, 10)}`,
      text: lines.join('\n'),
      fields: {
        opened: window.opened,
        resolved: window.resolved,
        escalated: window.escalated,
        noisiest: window.noisy[0]?.service ?? 'none',
        completeness: ratio(quality.completeness_ratio),
        actionability: ratio(quality.actionability_ratio),
        accuracy: ratio(quality.accuracy_ratio),
      },
    };
  }
}

function ratio(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`;
}

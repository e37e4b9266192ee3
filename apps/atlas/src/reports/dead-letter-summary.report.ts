import { Injectable } from '@nestjs/common';
import { type ReportContent, type ReportProducer } from '@opscrew/agent-core';
import { type DeadLetterEvent } from '@opscrew/contracts';
import { truncate } from '@opscrew/ports';

/** Groups (consumer × kind) listed one by one; more are counted. Keeps the report one embed. */
const GROUPS_QUOTED = 20;
/** The latest reason of a group, quoted: enough to recognise it, not a stack trace. */
const REASON_QUOTED = 160;

interface Group {
  count: number;
  latest_reason: string;
  latest_at: string;
}

/**
 * `deadletter-summary`: how many messages each consumer gave up on since the last summary, by
 * reason — sent on its schedule only when there were any (build → null otherwise). Fed by
 * atlas's `atlas-deadletters` consumer; a flood record counts as the messages it stands for.
 *
 * Counts live in memory: acked dead letters counted before an atlas restart are not in the next
 * summary (they stay in the DEADLETTERS stream, where `opscrew bus` tooling and /metrics see them).
 */
@Injectable()
export class DeadLetterSummaryReport implements ReportProducer {
  readonly name = 'deadletter-summary';
  private groups = new Map<string, Group>();
  private since: Date = new Date();
  /** What the last build() reported: subtracted once it is published (later ones stay). */
  private reported: ReadonlyMap<string, number> = new Map();

  /** One dead letter (from the atlas-deadletters consumer). */
  count(event: DeadLetterEvent): void {
    const key = `${event.consumer}\u0000${event.kind ?? 'unknown'}`;
    const group = this.groups.get(key) ?? { count: 0, latest_reason: '', latest_at: '' };
    group.count += event.suppressed ?? 1;
    if (event.received_at >= group.latest_at) {
      group.latest_at = event.received_at;
      group.latest_reason = event.reason;
    }
    this.groups.set(key, group);
  }

  build(_now: Date): Promise<ReportContent | null> {
    const entries = [...this.groups.entries()].sort(
      ([a, ga], [b, gb]) => gb.count - ga.count || a.localeCompare(b),
    );
    this.reported = new Map(entries.map(([key, group]) => [key, group.count]));
    const total = entries.reduce((sum, [, group]) => sum + group.count, 0);
    if (total === 0) return Promise.resolve(null);
    const consumers = new Set(entries.map(([key]) => key.split('\u0000')[0]));
    const lines = [
      `${total} dead letter(s) from ${consumers.size} consumer(s) since ${this.since.toISOString()}:`,
    ];
    for (const [key, group] of entries.slice(0, GROUPS_QUOTED)) {
      const [consumer, kind] = key.split('\u0000');
      lines.push(
        `- ${consumer} · ${kind} ×${group.count} — latest ${group.latest_at}: ${truncate(group.latest_reason, REASON_QUOTED)}`,
      );
    }
    if (entries.length > GROUPS_QUOTED)
      lines.push(`- and ${entries.length - GROUPS_QUOTED} more consumer/reason pair(s)`);
    lines.push('They are kept in the DEADLETTERS stream (deadletter.<consumer>) for a look.');
    return Promise.resolve({
      title: `Dead letters: ${total} since the last summary`,
      text: lines.join('\n'),
      fields: { dead_letters: total, consumers: consumers.size },
    });
  }

  published(now: Date): void {
    for (const [key, count] of this.reported) {
      const group = this.groups.get(key);
      if (group === undefined) continue;
      group.count -= count;
      if (group.count <= 0) this.groups.delete(key);
    }
    this.reported = new Map();
    this.since = now;
  }
}

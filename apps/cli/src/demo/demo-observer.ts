import { existsSync, readFileSync } from 'node:fs';
import { type IncidentRecord, KV_BUCKETS } from '@opscrew/contracts';
import { LocalTracker } from '@opscrew/integrations';
import { KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import { type Ticket } from '@opscrew/ports';

export interface ProcessState {
  name: string;
  running: boolean;
  restart_count: number;
  pid: number | null;
}

export interface NotificationLine {
  idempotency_key: string;
  kind: string;
  at: string;
  embeds?: { title?: string }[];
  content?: string;
}

/**
 * What the demo looks at to judge the crew — the same places a human would:
 * atlas's ledger, the shop supervisor's restart counters, the tickets, and the
 * alerts as Discord would have received them.
 */
export class DemoObserver {
  private tracker: LocalTracker | null = null;

  constructor(
    private readonly atlasUrl: string,
    private readonly controlUrl: string,
    private readonly token: string,
    private readonly notificationsFile: string,
    private readonly bus: NatsConnectionService,
  ) {}

  async incidents(): Promise<IncidentRecord[]> {
    // /incidents pages (newest first, 50 by default): the demo's incidents are the newest, and
    // one page of the maximum holds far more than a demo run opens.
    const response = await fetch(`${this.atlasUrl}/incidents?limit=500`, {
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) throw new Error(`atlas /incidents answered ${response.status}`);
    return (await response.json()) as IncidentRecord[];
  }

  /** atlas's postmortem draft of an incident (Markdown), or null while there is none. */
  async postmortem(incidentId: string): Promise<string | null> {
    const response = await fetch(
      `${this.atlasUrl}/incidents/${encodeURIComponent(incidentId)}/postmortem`,
      { signal: AbortSignal.timeout(3000) },
    );
    if (response.status === 404) return null;
    if (!response.ok)
      throw new Error(`atlas /incidents/${incidentId}/postmortem answered ${response.status}`);
    return response.text();
  }

  async processes(): Promise<ProcessState[]> {
    const response = await fetch(`${this.controlUrl}/processes`, {
      headers: { authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) throw new Error(`shop supervisor /processes answered ${response.status}`);
    const body = (await response.json()) as { processes?: ProcessState[] } | ProcessState[];
    return Array.isArray(body) ? body : (body.processes ?? []);
  }

  async restarts(): Promise<Record<string, number>> {
    return Object.fromEntries(
      (await this.processes()).map((entry) => [entry.name, entry.restart_count]),
    );
  }

  notifications(): NotificationLine[] {
    if (!existsSync(this.notificationsFile)) return [];
    return readFileSync(this.notificationsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as NotificationLine);
  }

  async tickets(): Promise<Ticket[]> {
    const tracker = await this.localTracker();
    const all: Ticket[] = [];
    for (const status of ['todo', 'in_progress', 'in_review', 'done', 'escalated'] as const) {
      all.push(...(await tracker.listByStatus(status, 'auto-detected')));
    }
    return all;
  }

  /** A ticket's comments (the crew's steps, its triage), oldest first. */
  async comments(key: string): Promise<string[]> {
    return (await (await this.localTracker()).comments(key)).map((comment) => comment.text);
  }

  private async localTracker(): Promise<LocalTracker> {
    if (!this.tracker) {
      const kv = new KvFactory(this.bus);
      this.tracker = new LocalTracker(await kv.raw(KV_BUCKETS.tickets), {
        listKeys: () => kv.listKeys(KV_BUCKETS.tickets),
      });
    }
    return this.tracker;
  }
}

/**
 * Polls until `check` returns a value; undefined when the time is up (the story
 * reports it) or at once when `signal` is aborted (Ctrl-C).
 */
export async function poll<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
  signal?: AbortSignal,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) return undefined;
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch {
      // An agent briefly busy or restarting: keep polling until the deadline.
    }
    if (Date.now() > deadline || signal?.aborted) return undefined;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

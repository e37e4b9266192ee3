import { type OutboxItemRecord } from '@opscrew/contracts';
import { itemKey } from '@opscrew/guardrails';
import { ticketKey } from '@opscrew/incident';
import { type TypedKv } from '@opscrew/messaging';
import { safeHref } from './html-escape';
import { type TicketView } from './status-model';

/**
 * An incident's own ticket as atlas can see it: ops-monitor enqueues its creation in the
 * outbox under `ticket:<incident id>`, and the delivered item carries the tracker's key. atlas
 * reads that item (it may read the outbox: it enqueues notices there) — one direct get per
 * open incident shown, at most the page's incident limit.
 *
 * What it cannot see: a ticket a human filed and jira-resolver took on (its key lives in the
 * remediation run, a bucket atlas is not granted), and a creation swept after the outbox's
 * retention. Both show as "—", never as a wrong key.
 */
export class IncidentTicketLookup {
  constructor(
    private readonly outbox: Pick<TypedKv<OutboxItemRecord>, 'get'>,
    /** Jira's base URL when the tracker is Jira: keys become links `<base>/browse/<key>`. */
    private readonly jiraBaseUrl: string | null,
  ) {}

  async tickets(incidentIds: readonly string[]): Promise<Map<string, TicketView>> {
    const found = await Promise.all(
      incidentIds.map(async (id) => {
        const item = await this.outbox.get(itemKey('ticket.create', ticketKey(id)));
        return [id, item === null ? null : this.view(item.value)] as const;
      }),
    );
    const tickets = new Map<string, TicketView>();
    for (const [id, view] of found) if (view !== null) tickets.set(id, view);
    return tickets;
  }

  private view(item: OutboxItemRecord): TicketView {
    const key = item.state === 'delivered' ? (item.result_ref ?? null) : null;
    const base = this.jiraBaseUrl?.replace(/\/+$/, '');
    return {
      key,
      url: key !== null && base ? safeHref(`${base}/browse/${encodeURIComponent(key)}`) : null,
      state: item.state,
    };
  }
}

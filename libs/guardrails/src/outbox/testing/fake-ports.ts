import {
  DeliveryError,
  type Notification,
  type NotifierPort,
  type Ticket,
  type TicketDraft,
  type TicketStatus,
  type TrackerPort,
  type TrackerWriteOptions,
} from '@opscrew/ports';

/** What the next call does: succeed, throw, or (after doing the work) never answer. */
export type FakeOutcome = 'ok' | Error | 'hang-after-success' | 'hang';

/** An in-memory tracker that records calls and can be scripted to fail. */
export class FakeTracker implements TrackerPort {
  readonly kind = 'fake';
  readonly tickets = new Map<string, Ticket & { idempotency_key: string; comments: string[] }>();
  readonly calls: string[] = [];
  /** Outcomes for the next create() calls, in order; 'ok' once exhausted. */
  readonly createOutcomes: FakeOutcome[] = [];
  readonly stepOutcomes: FakeOutcome[] = [];
  private counter = 0;

  findByIdempotencyKey(key: string): Promise<Ticket | null> {
    this.calls.push(`find ${key}`);
    const found = [...this.tickets.values()].find((t) => t.idempotency_key === key);
    return Promise.resolve(found ?? null);
  }

  async create(draft: TicketDraft): Promise<Ticket> {
    this.calls.push(`create ${draft.idempotency_key}`);
    const outcome = this.createOutcomes.shift() ?? 'ok';
    if (outcome instanceof Error) throw outcome;
    if (outcome === 'hang') return never();
    this.counter += 1;
    const ticket = {
      key: `FAKE-${this.counter}`,
      status: 'todo' as const,
      summary: draft.summary,
      incident_id: draft.incident_id,
      labels: [...draft.labels],
      idempotency_key: draft.idempotency_key,
      comments: [],
    };
    this.tickets.set(ticket.key, ticket);
    if (outcome === 'hang-after-success') return never();
    await Promise.resolve();
    return ticket;
  }

  get(key: string): Promise<Ticket | null> {
    return Promise.resolve(this.tickets.get(key) ?? null);
  }

  async transition(
    key: string,
    to: TicketStatus,
    comment?: string,
    options?: TrackerWriteOptions,
  ): Promise<void> {
    this.calls.push(`transition ${key} ${to}${comment === undefined ? '' : ` "${comment}"`}`);
    await this.step(options);
    const ticket = this.tickets.get(key);
    if (ticket === undefined) throw new DeliveryError(`no ${key}`, false, undefined, 404);
    // The port's conditional move: not from a listed status, a no-op.
    if (options?.only_from !== undefined && !options.only_from.includes(ticket.status)) return;
    this.tickets.set(key, { ...ticket, status: to });
  }

  async comment(key: string, text: string, options?: TrackerWriteOptions): Promise<void> {
    this.calls.push(`comment ${key} "${text}"`);
    await this.step(options);
    this.tickets.get(key)?.comments.push(text);
  }

  listByStatus(status: TicketStatus, label: string): Promise<Ticket[]> {
    return Promise.resolve(
      [...this.tickets.values()].filter((t) => t.status === status && t.labels.includes(label)),
    );
  }

  private async step(_options?: TrackerWriteOptions): Promise<void> {
    const outcome = this.stepOutcomes.shift() ?? 'ok';
    if (outcome instanceof Error) throw outcome;
    if (outcome === 'hang' || outcome === 'hang-after-success') return never();
    await Promise.resolve();
  }
}

/** An in-memory notifier that records what it sent and can be scripted to fail. */
export class FakeNotifier implements NotifierPort {
  readonly kind = 'fake';
  readonly sent: Notification[] = [];
  readonly outcomes: FakeOutcome[] = [];

  async send(notification: Notification): Promise<void> {
    const outcome = this.outcomes.shift() ?? 'ok';
    if (outcome instanceof Error) throw outcome;
    if (outcome === 'hang') return never();
    this.sent.push(notification);
    if (outcome === 'hang-after-success') return never();
    await Promise.resolve();
  }
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

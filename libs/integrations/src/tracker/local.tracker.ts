import { Logger } from '@nestjs/common';
import {
  TICKET_COMMENT_TEXT_MAX_LENGTH,
  TICKET_COMMENTS_MAX,
  TICKET_COUNTER_PREFIX,
  TICKET_HISTORY_MAX,
  TICKET_INDEX_PREFIX,
  TICKET_KEY_PATTERN,
  TICKET_LABELS_MAX,
  TICKET_SECTION_TEXT_MAX_LENGTH,
  TICKET_SECTIONS_MAX,
  TICKET_SUMMARY_MAX_LENGTH,
  TicketIndexRecord,
  TicketRecord,
  type TicketRecordStatus,
} from '@opscrew/contracts';
import { type Clock, counterSchema, systemClock, TypedKv } from '@opscrew/messaging';
import {
  DeliveryError,
  idempotencyHash,
  labelToken,
  type Ticket,
  type TicketDraft,
  type TicketStatus,
  type TrackerPort,
  type TrackerWriteOptions,
  truncate,
} from '@opscrew/ports';
import { type KV } from 'nats';
import { neutralise, neutraliseLine, safeHref } from '../text/neutralise';
import { canTransition } from './ticket-lifecycle';

/** The record's status vocabulary is the port's: a drift is a compile error here. */
const sameStatuses: [TicketStatus, TicketRecordStatus] extends [TicketRecordStatus, TicketStatus]
  ? true
  : never = true;
void sameStatuses;

/**
 * A loser of the idempotency race waits for the winner's ticket record: the
 * winner writes it right after the index entry, so 2 s (40 × 50 ms) covers a
 * slow KV round trip; past that the winner is assumed dead and the loser
 * writes the ticket itself (same draft, same key — `create` lets one win).
 */
const WINNER_WAIT_ROUNDS = 40;
const WINNER_WAIT_MS = 50;

export interface LocalTrackerOptions {
  /** Ticket key prefix, like a Jira project key: `OPS` → `OPS-1`. */
  readonly project_key?: string;
  readonly clock?: Clock;
  /** Lists the bucket's keys without `kv.keys()` (KvFactory.listKeys; see TypedKv). */
  readonly listKeys?: () => Promise<string[]>;
}

/**
 * The embedded tracker: tickets in the `tickets` KV bucket with Jira's
 * lifecycle. Keys: `OPS-<n>` (the ticket), `seq.OPS` (the counter, advanced by
 * CAS), `idem.<hash>` (idempotency index, written with `create` so two
 * concurrent creators of one logical ticket cannot both win).
 */
export class LocalTracker implements TrackerPort {
  readonly kind = 'local';
  private readonly logger = new Logger(LocalTracker.name);
  private readonly tickets: TypedKv<TicketRecord>;
  private readonly index: TypedKv<TicketIndexRecord>;
  private readonly counter: TypedKv<number>;
  private readonly project: string;
  private readonly clock: Clock;

  constructor(kv: KV, options: LocalTrackerOptions = {}) {
    this.tickets = new TypedKv(kv, 'tickets', { class: TicketRecord }, options.listKeys);
    this.index = new TypedKv(kv, 'tickets', { class: TicketIndexRecord });
    this.counter = new TypedKv(kv, 'tickets', counterSchema);
    this.project = options.project_key ?? 'OPS';
    if (!/^[A-Z][A-Z0-9_]{1,9}$/.test(this.project)) {
      throw new Error(`local tracker: project key "${this.project}" must look like OPS`);
    }
    this.clock = options.clock ?? systemClock;
  }

  async findByIdempotencyKey(key: string): Promise<Ticket | null> {
    const entry = await this.index.get(indexKey(key));
    if (entry === null) return null;
    if (entry.value.idempotency_key !== key) {
      // 96-bit hash collision: never hand out someone else's ticket.
      throw new Error(`local tracker: idempotency index collision for ${indexKey(key)}`);
    }
    const ticket = await this.tickets.get(entry.value.ticket_key);
    // Index written but ticket not yet (or its creator died): create() completes it.
    return ticket === null ? null : toTicket(ticket.value);
  }

  async create(draft: TicketDraft): Promise<Ticket> {
    const existing = await this.findByIdempotencyKey(draft.idempotency_key);
    if (existing !== null) return existing;
    const key = await this.allocateKey();
    const now = this.nowIso();
    const won = await this.index.create(indexKey(draft.idempotency_key), {
      ticket_key: key,
      idempotency_key: draft.idempotency_key,
      created_at: now,
    });
    if (won === null) {
      // Another creator indexed this idempotency key first: its ticket is THE ticket.
      this.logger.debug(
        `ticket for ${draft.idempotency_key} is being created elsewhere; ${key} unused`,
      );
      return this.awaitWinner(draft);
    }
    const record = this.recordFrom(draft, key, now);
    await this.tickets.create(key, record);
    const stored = await this.tickets.get(key);
    return toTicket(stored?.value ?? record);
  }

  async get(key: string): Promise<Ticket | null> {
    if (!TICKET_KEY_PATTERN.test(key)) return null;
    const entry = await this.tickets.get(key);
    return entry === null ? null : toTicket(entry.value);
  }

  /** The ticket's comments, oldest first (the embedded tracker's history a person reads). */
  async comments(key: string): Promise<{ at: string; text: string }[]> {
    if (!TICKET_KEY_PATTERN.test(key)) return [];
    const entry = await this.tickets.get(key);
    return (entry?.value.comments ?? []).map(({ at, text }) => ({ at, text }));
  }

  async transition(
    key: string,
    to: TicketStatus,
    comment?: string,
    options: TrackerWriteOptions = {},
  ): Promise<void> {
    await this.mutate(key, (ticket, now) => {
      if (ticket.status === to) {
        // Already there (a retried transition): nothing to do, not even the comment.
        return null;
      }
      if (options.only_from !== undefined && !options.only_from.includes(ticket.status)) {
        // A conditional move whose condition no longer holds: nothing to do, and not a refusal.
        return null;
      }
      if (!canTransition(ticket.status, to)) {
        throw new DeliveryError(
          `local tracker: ${key} cannot move from ${ticket.status} to ${to}`,
          false,
        );
      }
      ticket.history = [...ticket.history, { at: now, from: ticket.status, to }].slice(
        -TICKET_HISTORY_MAX,
      );
      ticket.status = to;
      if (comment !== undefined && comment.trim() !== '') {
        appendComment(ticket, comment, now, options.idempotency_key);
      }
      return ticket;
    });
  }

  async comment(key: string, text: string, options: TrackerWriteOptions = {}): Promise<void> {
    await this.mutate(key, (ticket, now) => {
      const idem = options.idempotency_key;
      if (idem !== undefined && ticket.comments.some((c) => c.idempotency_key === idem)) {
        return null;
      }
      appendComment(ticket, text, now, idem);
      return ticket;
    });
  }

  async listByStatus(status: TicketStatus, label: string): Promise<Ticket[]> {
    const out: Ticket[] = [];
    for (const key of await this.tickets.keys()) {
      if (!TICKET_KEY_PATTERN.test(key)) continue;
      const entry = await this.tickets.get(key);
      if (entry === null) continue;
      if (entry.value.status === status && entry.value.labels.includes(label)) {
        out.push(toTicket(entry.value));
      }
    }
    return out.sort((a, b) => ticketNumber(a.key) - ticketNumber(b.key));
  }

  /**
   * Read-modify-CAS-write (TypedKv.mutate: its one retry policy; writers contending on one key
   * are two or three — ops-monitor replicas, jira-resolver, a CLI); `change` returns null for
   * "nothing to write", and gets a copy, so it may edit that.
   */
  private async mutate(
    key: string,
    change: (ticket: TicketRecord, now: string) => TicketRecord | null,
  ): Promise<void> {
    const missing = (): DeliveryError =>
      new DeliveryError(`local tracker: no ticket ${key}`, false, undefined, 404);
    if (!TICKET_KEY_PATTERN.test(key)) throw missing();
    await this.tickets.mutate<null>(
      key,
      (entry) => {
        if (entry === null) throw missing();
        const now = this.nowIso();
        const next = change(structuredClone(entry.value), now);
        if (next === null) return { keep: null };
        next.updated_at = now;
        return { put: next, result: null };
      },
      { onContention: (cause) => this.contention(`${key} kept changing under us`, cause) },
    );
  }

  private async allocateKey(): Promise<string> {
    const counterKey = `${TICKET_COUNTER_PREFIX}${this.project}`;
    const { result } = await this.counter.mutate<number>(
      counterKey,
      (current) => {
        const next = (current?.value ?? 0) + 1;
        return { put: next, result: next };
      },
      { onContention: (cause) => this.contention('could not allocate a ticket key', cause) },
    );
    return `${this.project}-${result}`;
  }

  /** The port's error for lost CAS rounds: retryable, the KV's contention error as its cause. */
  private contention(what: string, cause: Error): DeliveryError {
    return new DeliveryError(`local tracker: ${what}`, true, undefined, undefined, { cause });
  }

  private async awaitWinner(draft: TicketDraft): Promise<Ticket> {
    const entry = await this.index.get(indexKey(draft.idempotency_key));
    if (entry === null) {
      throw new DeliveryError(`local tracker: idempotency index vanished during create`, true);
    }
    const key = entry.value.ticket_key;
    for (let round = 0; round < WINNER_WAIT_ROUNDS; round++) {
      const ticket = await this.tickets.get(key);
      if (ticket !== null) return toTicket(ticket.value);
      await new Promise((resolve) => setTimeout(resolve, WINNER_WAIT_MS));
    }
    // The winner died between index and ticket: complete its ticket (one create wins).
    this.logger.warn(`completing ticket ${key} whose creator did not finish`);
    await this.tickets.create(key, this.recordFrom(draft, key, entry.value.created_at));
    const ticket = await this.tickets.get(key);
    if (ticket === null)
      throw new DeliveryError(`local tracker: ${key} could not be written`, true);
    return toTicket(ticket.value);
  }

  private recordFrom(draft: TicketDraft, key: string, now: string): TicketRecord {
    const record = new TicketRecord();
    record.key = key;
    record.status = 'todo';
    record.summary = nonEmpty(truncate(neutraliseLine(draft.summary), TICKET_SUMMARY_MAX_LENGTH));
    record.incident_id = nonEmpty(truncate(draft.incident_id, 128));
    record.idempotency_key = draft.idempotency_key;
    record.severity = draft.severity;
    record.service = nonEmpty(truncate(neutraliseLine(draft.service), 64));
    record.labels = [...new Set(draft.labels.map(labelToken).filter((l) => l !== ''))].slice(
      0,
      TICKET_LABELS_MAX,
    );
    record.sections = draft.sections.slice(0, TICKET_SECTIONS_MAX).map((section) => {
      const href = safeHref(section.href);
      return {
        label: nonEmpty(truncate(neutraliseLine(section.label), 256)),
        text: nonEmpty(truncate(neutralise(section.text), TICKET_SECTION_TEXT_MAX_LENGTH)),
        ...(href === null ? {} : { href }),
      };
    });
    record.comments = [];
    record.history = [];
    record.created_at = now;
    record.updated_at = now;
    return record;
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function appendComment(ticket: TicketRecord, text: string, at: string, idem?: string): void {
  const comment = {
    at,
    text: nonEmpty(truncate(neutralise(text), TICKET_COMMENT_TEXT_MAX_LENGTH)),
    ...(idem === undefined ? {} : { idempotency_key: idem }),
  };
  ticket.comments = [...ticket.comments, comment].slice(-TICKET_COMMENTS_MAX);
}

function indexKey(idempotencyKey: string): string {
  return `${TICKET_INDEX_PREFIX}${idempotencyHash(idempotencyKey)}`;
}

function toTicket(record: TicketRecord): Ticket {
  return {
    key: record.key,
    status: record.status,
    summary: record.summary,
    incident_id: record.incident_id,
    labels: [...record.labels],
  };
}

function ticketNumber(key: string): number {
  return Number(key.slice(key.lastIndexOf('-') + 1));
}

function nonEmpty(text: string): string {
  return text.trim() === '' ? '-' : text;
}

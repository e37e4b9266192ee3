// Over ~300 lines: the chain's public operations and its tick share one CAS step (`change`) and
// one side-effect step (`perform`); its transitions, messages and timers live in their own files.
import { SchedulerRegistry } from '@nestjs/schedule';
import { type EscalationConfig } from '@opscrew/config';
import {
  ESCALATION_LEVELS,
  type EscalationLevel,
  type EscalationRecord,
  SUBJECTS,
  errorMessage,
} from '@opscrew/contracts';
import {
  type Clock,
  KvCorruptValueError,
  type KvItem,
  type KvRevisioned,
  PeriodicTask,
  systemClock,
  type TypedKv,
} from '@opscrew/messaging';
import {
  advanced,
  clip,
  closed,
  completed,
  type EscalationIncident,
  exhausted,
  firstHumanLevel,
  isHumanLevel,
  nextLevel,
  openedRecord,
  preAckedRecord,
  reopenedRecord,
  requestedEarly,
  resumed,
  termOf,
} from '@opscrew/incident';
import { type AuditEntry, type AuditSink } from '@opscrew/ports';
import {
  type EscalationOptions,
  escalationOptions,
  ESCALATION_TICK_INTERVAL_MS,
} from './escalation-options';
import { EscalationTimers } from './escalation-timers';
import {
  escalatedEventPayload,
  escalationComment,
  escalationKeys,
  escalationNotification,
  timeoutReason,
} from './escalation-message.builder';
import {
  type EscalationDependencies,
  type EscalationEventPublisher,
  type EscalationLogger,
  type EscalationOutbox,
} from './escalation.ports';

/** Per record and tick: take over a stale marker, then enter at most one new level. */
const MAX_STEPS_PER_TICK = 2;
/**
 * A full scan of the bucket rebuilds the due index this often (and on the first tick): records
 * written before the index existed, or an index write that failed. Other ticks read the index.
 */
export const ESCALATION_REINDEX_INTERVAL_MS = 5 * 60_000;
/** Audit results are one line; the reason they quote is cut to this. */
const AUDIT_RESULT_MAX_LENGTH = 500;
/** The chain starts here: the crew's own remediation, no page. */
const OPENING_LEVEL: EscalationLevel = ESCALATION_LEVELS[0];

export interface OpenResult {
  /** False when the record already existed (a redelivery, another replica, a pre-ack). */
  readonly created: boolean;
  readonly record: EscalationRecord;
}

export type ReopenResult =
  /** A closed chain started a new term at L1 (its opening audited, its deadline set). */
  | { readonly outcome: 'reopened'; readonly record: EscalationRecord }
  /**
   * Nothing to start: the chain is still running (`record.state` open: its deadline pages if
   * the crew does not fix it), or this recurrence already started a term (a redelivery).
   */
  | { readonly outcome: 'unchanged'; readonly record: EscalationRecord }
  /** No chain for this incident (never opened: jira-resolver's triage opens it). */
  | { readonly outcome: 'unknown' };

export type CloseResult =
  /** The chain was running and is stopped now, at `level`. */
  | {
      readonly outcome: 'closed';
      readonly level: EscalationLevel;
      readonly record: EscalationRecord;
    }
  /** Already acknowledged or resolved (`record.state`, `closed_by`, `closed_at` say by whom and when). */
  | { readonly outcome: 'not-escalating'; readonly record: EscalationRecord }
  | { readonly outcome: 'unknown' };

export type EscalateNowResult =
  /** The next level was entered (and its side effects performed) now. */
  | {
      readonly outcome: 'escalated';
      readonly level: EscalationLevel;
      readonly record: EscalationRecord;
    }
  /**
   * The deadline was pulled in, but another replica holds a fresh pending
   * marker on this record: the next tick enters the next level.
   */
  | {
      readonly outcome: 'scheduled';
      readonly level: EscalationLevel;
      readonly record: EscalationRecord;
    }
  /** A person is already paged: giving up again (a redelivered failure) does not wake the next one. */
  | {
      readonly outcome: 'already-human';
      readonly level: EscalationLevel;
      readonly record: EscalationRecord;
    }
  | { readonly outcome: 'not-escalating'; readonly record: EscalationRecord }
  | { readonly outcome: 'unknown' };

export interface TickReport {
  /** Timers looked at: the entries of the due index (open chains with a deadline or a marker). */
  readonly checked: number;
  /** Levels entered (side effects performed). */
  readonly escalated: number;
  /** Stale pending markers taken over and performed again. */
  readonly resumed: number;
  /** Chains that ran past their last level in this tick. */
  readonly exhausted: number;
  /** Records whose step failed (logged; retried by the next tick). */
  readonly failed: number;
}

type StepAction = 'escalated' | 'resumed' | 'exhausted';

type Change =
  | { readonly kind: 'missing' }
  | { readonly kind: 'unchanged'; readonly record: EscalationRecord }
  | {
      readonly kind: 'changed';
      readonly before: EscalationRecord;
      readonly record: EscalationRecord;
      readonly revision: number;
    };

const silentLogger: EscalationLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * The escalation chain of jira-resolver: L1 the crew's own remediation, then
 * L2 and L3 page a person, each after its level's timeout without an ack.
 *
 * - The timers are the record's `deadline_at` in the `escalations` bucket:
 *   a restarted (or another) instance resumes every chain where it was.
 * - Every step is a compare-and-swap: with several replicas ticking, only the
 *   one whose write lands enters a level, so each level is performed once.
 * - Crash safety: entering a level writes the level together with a pending
 *   marker; then the side effects run, each idempotent by a deterministic key
 *   (event id → Nats-Msg-Id, outbox idempotency keys); then the marker is
 *   cleared. A marker older than `pending_claim_ms` is taken over by CAS and
 *   its side effects are performed again: a crash repeats idempotent steps
 *   only, never skips one.
 * - What is due comes from the bucket's due index (KvDueIndex, key `_due`): every write here
 *   syncs the record's entry (its deadline, or its marker's takeover time), so a tick is one
 *   read plus the records that are due, not a read of every escalation ever opened. Writes
 *   that make a record due sooner (open, escalateNow) index it first; a failed index write is
 *   logged, and the periodic full reindex repairs it.
 */
export class EscalationService {
  private readonly kv: TypedKv<EscalationRecord>;
  private readonly outbox: EscalationOutbox;
  private readonly publisher: EscalationEventPublisher;
  private readonly audit: AuditSink;
  private readonly config: EscalationConfig;
  private readonly clock: Clock;
  private readonly logger: EscalationLogger;
  private readonly options: EscalationOptions;
  /** Corrupt entries already reported (key@revision): one log line each, not one per tick. */
  private readonly reportedCorrupt = new Set<string>();
  private readonly task: PeriodicTask<TickReport>;
  private started = false;
  private readonly timers: EscalationTimers;
  /** When the index was last rebuilt from a full scan (epoch ms; never yet: -Infinity). */
  private reindexedAt = Number.NEGATIVE_INFINITY;

  constructor(deps: EscalationDependencies) {
    this.kv = deps.kv;
    this.outbox = deps.outbox;
    this.publisher = deps.publisher;
    this.audit = deps.audit;
    this.config = deps.config;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.options = escalationOptions(deps.options);
    this.timers = new EscalationTimers(deps.kv, this.options.pending_claim_ms, this.logger);
    this.task = new PeriodicTask(
      'escalation-tick',
      deps.scheduler ?? new SchedulerRegistry(),
      () => this.tick(),
      { onError: (error) => this.logger.error(`escalation tick failed: ${errorMessage(error)}`) },
    );
  }

  /**
   * Starts the chain at L1 with its deadline `timeout_minutes` after `at`
   * (default now). Idempotent: a second call, from a redelivery or another
   * replica, finds the record and changes nothing.
   */
  async open(incident: EscalationIncident, at?: Date | string): Promise<OpenResult> {
    const now = this.clock.now();
    const start = at === undefined ? now : instant(at);
    const record = openedRecord(incident, this.config, start, now);
    await this.timers.pullIn(incident.incident_id, this.timers.dueOf(record));
    const revision = await this.kv.create(incident.incident_id, record);
    if (revision === null) {
      const existing = await this.kv.get(incident.incident_id);
      if (existing === null) {
        throw new Error(`escalation ${incident.incident_id} was deleted while being opened`);
      }
      await this.timers.sync(incident.incident_id, existing.value, existing.revision);
      return { created: false, record: existing.value };
    }
    await this.timers.sync(incident.incident_id, record, revision);
    await this.recordOpening(record, revision, 'opened');
    return { created: true, record };
  }

  /**
   * The automation gave up (verification failed, no runbook matched, limits
   * hit): enter the next level now instead of at the deadline. Only from an
   * automatic level: once a person is paged, a redelivered failure must not
   * wake the next one.
   */
  async escalateNow(
    incidentId: string,
    reason: string,
    at?: Date | string,
  ): Promise<EscalateNowResult> {
    const now = at === undefined ? this.clock.now() : instant(at);
    // Due now if the request sticks: indexed first (an unknown or closed id is dropped at a tick).
    await this.timers.pullIn(incidentId, now);
    const change = await this.change(incidentId, (record) =>
      record.state !== 'open' ||
      isHumanLevel(this.config, record.level) ||
      record.escalate_reason !== undefined
        ? null
        : requestedEarly(record, reason, now),
    );
    if (change.kind === 'missing') return { outcome: 'unknown' };
    if (change.kind === 'unchanged') {
      const record = change.record;
      if (record.state !== 'open') return { outcome: 'not-escalating', record };
      if (isHumanLevel(this.config, record.level)) {
        return { outcome: 'already-human', level: record.level, record };
      }
      // Requested before and not yet performed: try again below.
    }
    await this.step(incidentId, now);
    const current = await this.kv.get(incidentId);
    if (current === null) return { outcome: 'unknown' };
    const record = current.value;
    if (record.state !== 'open') return { outcome: 'not-escalating', record };
    if (!isHumanLevel(this.config, record.level)) {
      return { outcome: 'scheduled', level: record.level, record };
    }
    return { outcome: 'escalated', level: record.level, record };
  }

  /**
   * The incident recurred after its chain was closed: a new term at L1, its deadline
   * `timeout_minutes` after `at` — the crew tries again, and if it cannot (a restart cooldown,
   * the hourly limit, a fix that does not hold) the deadline pages a person again. Without it a
   * recurrence of a resolved incident waited on the crew with nobody told. `key` names the
   * recurrence (its event id): delivered again, even after the term it started was closed, it
   * starts nothing. A chain still open is left as it is: it is already counting down.
   */
  async reopen(
    incidentId: string,
    key: string,
    reason: string,
    at?: Date | string,
  ): Promise<ReopenResult> {
    const now = this.clock.now();
    const start = at === undefined ? now : instant(at);
    // Due once its marker could be taken over, if the reopening sticks: indexed first, as at an
    // opening (an entry for a record left unchanged is set from the record at the next tick).
    await this.timers.pullIn(incidentId, now + this.options.pending_claim_ms);
    const change = await this.change(incidentId, (record) =>
      record.state === 'open' || record.term_key === key
        ? null
        : reopenedRecord(record, this.config, key, reason, start, now),
    );
    if (change.kind === 'missing') return { outcome: 'unknown' };
    if (change.kind === 'unchanged') return { outcome: 'unchanged', record: change.record };
    const { record, revision } = change;
    await this.recordOpening(record, revision, `reopened (term ${termOf(record)})`);
    return { outcome: 'reopened', record };
  }

  /**
   * Stops the chain: a verified fix (`resolved`) or a person taking it
   * (`acked`). Idempotent; later ticks leave the record alone.
   */
  async close(
    incidentId: string,
    how: 'resolved' | 'acked',
    by: string,
    note?: string,
  ): Promise<CloseResult> {
    const now = this.clock.now();
    const change = await this.change(incidentId, (record) =>
      record.state === 'open' ? closed(record, how, by, now, note) : null,
    );
    if (change.kind === 'missing') return { outcome: 'unknown' };
    if (change.kind === 'unchanged') return { outcome: 'not-escalating', record: change.record };
    const { record, revision } = change;
    this.logger.log(`${incidentId}: escalation ${how} by ${by} at ${record.level}; chain stopped`);
    await this.auditBestEffort({
      action: `escalation.${how}`,
      result: clip(
        `${how} by ${by} at ${record.level}; chain stopped${note ? `: ${note}` : ''}`,
        AUDIT_RESULT_MAX_LENGTH,
      ),
      input: { incident_id: incidentId, how, by, level: record.level },
      incident_id: incidentId,
      revision,
    });
    return { outcome: 'closed', level: record.level, record };
  }

  /**
   * A person takes the incident (CLI, later ChatOps). With `incident` (from
   * the ledger) an ack that comes before jira-resolver opened the chain is
   * kept as a closed record, so the later `open` starts nothing.
   */
  async ack(incidentId: string, by: string, incident?: EscalationIncident): Promise<CloseResult> {
    const result = await this.close(incidentId, 'acked', by);
    if (result.outcome !== 'unknown' || incident === undefined) return result;
    const record = preAckedRecord(incident, this.config, by, this.clock.now());
    const revision = await this.kv.create(incidentId, record);
    // Opened in between: ack the record that is there now.
    if (revision === null) return this.close(incidentId, 'acked', by);
    this.logger.log(`${incidentId}: acknowledged by ${by} before its escalation opened`);
    await this.auditBestEffort({
      action: 'escalation.acked',
      result: `acked by ${by} before the chain started; no level will be paged`,
      input: { incident_id: incidentId, how: 'acked', by, level: record.level },
      incident_id: incidentId,
      revision,
    });
    return { outcome: 'closed', level: record.level, record };
  }

  async get(incidentId: string): Promise<EscalationRecord | null> {
    return (await this.kv.get(incidentId))?.value ?? null;
  }

  /**
   * One pass over the bucket: every open record whose deadline is due moves
   * one level (or is marked exhausted at the last), every stale pending marker
   * is performed again. A failing record is logged and retried next tick; it
   * never stops the others.
   */
  async tick(now: number = this.clock.now()): Promise<TickReport> {
    const counts = { checked: 0, escalated: 0, resumed: 0, exhausted: 0, failed: 0 };
    if (now - this.reindexedAt >= ESCALATION_REINDEX_INTERVAL_MS) {
      await this.reindexAll();
      this.reindexedAt = now;
    }
    const entries = await this.timers.entries();
    counts.checked = entries.length;
    for (const entry of entries) {
      if (entry.due_at > now) break; // earliest first: the rest are later still
      try {
        const current = await this.readable(entry.id);
        if (current === null || !this.isDue(current.value, now)) {
          // Gone, closed, or the entry came early: set it from the record (or drop it).
          await this.timers.sync(
            entry.id,
            current?.value ?? null,
            current?.revision ?? entry.revision,
          );
          continue;
        }
        for (const action of await this.step(entry.id, now)) counts[action] += 1;
      } catch (error) {
        counts.failed += 1;
        this.logger.error(
          `${entry.id}: escalation step failed (${errorMessage(error)}); retrying next tick`,
        );
      }
    }
    return counts;
  }

  /** Indexes every readable record, and drops entries whose record is gone. */
  private async reindexAll(): Promise<void> {
    const items = await this.records();
    const known = new Set(items.map((item) => item.key));
    for (const item of items) await this.timers.sync(item.key, item.value, item.revision);
    for (const entry of await this.timers.entries()) {
      if (known.has(entry.id)) continue;
      const current = await this.readable(entry.id);
      await this.timers.sync(entry.id, current?.value ?? null, current?.revision ?? entry.revision);
    }
  }

  /**
   * Ticks every `intervalMs`, never two at a time (a slow tick delays the next
   * one): a PeriodicTask registered with the app's scheduler (`deps.scheduler`).
   */
  start(intervalMs: number = ESCALATION_TICK_INTERVAL_MS): void {
    if (this.started) return;
    this.started = true;
    this.task.start(intervalMs);
  }

  /** Stops ticking and waits for the tick in flight: shutdown never cuts a step in half. */
  async stop(): Promise<void> {
    this.started = false;
    await this.task.stop();
  }

  private isDue(record: EscalationRecord, now: number): boolean {
    if (record.state !== 'open') return false;
    if (record.pending_level !== undefined) return this.markerIsStale(record, now);
    return !record.exhausted && Date.parse(record.deadline_at) <= now;
  }

  private markerIsStale(record: EscalationRecord, now: number): boolean {
    const since = record.pending_since === undefined ? 0 : Date.parse(record.pending_since);
    return now - since >= this.options.pending_claim_ms;
  }

  /** What a tick does to one record, decided on the latest revision. */
  private decide(record: EscalationRecord, now: number): EscalationRecord | null {
    if (record.state !== 'open') return null;
    if (record.pending_level !== undefined) {
      // Fresh: its owner is performing it right now. Stale: the owner is gone.
      return this.markerIsStale(record, now) ? resumed(record, now) : null;
    }
    if (record.exhausted || Date.parse(record.deadline_at) > now) return null;
    const next = nextLevel(record.level);
    if (next === null) return exhausted(record, now);
    const reason = record.escalate_reason ?? timeoutReason(this.config, record.level);
    return advanced(record, next, this.config, reason, now);
  }

  /** Steps one record as far as is due now; what it did, in order. */
  private async step(incidentId: string, now: number): Promise<StepAction[]> {
    const actions: StepAction[] = [];
    for (let i = 0; i < MAX_STEPS_PER_TICK; i++) {
      const change = await this.change(incidentId, (record) => this.decide(record, now));
      if (change.kind !== 'changed') break;
      const { before, record, revision } = change;
      if (before.pending_level !== undefined) {
        actions.push('resumed');
        this.logger.warn(
          `${incidentId}: taking over the unfinished ${before.pending_level} step (marked ${before.pending_since ?? '?'})`,
        );
        await this.perform(record, revision, true);
        await this.complete(incidentId, before.pending_level);
        // The resumed level may itself be due by now: look again.
        continue;
      }
      if (record.exhausted) {
        actions.push('exhausted');
        await this.recordExhausted(record, revision);
        break;
      }
      actions.push('escalated');
      const level = record.pending_level ?? record.level;
      await this.perform(record, revision, false);
      await this.complete(incidentId, level);
      break;
    }
    return actions;
  }

  /**
   * The side effects of the record's pending level, each idempotent by its key:
   * the `incident.escalated` event (its id is the Nats-Msg-Id), the ticket
   * transition (first human level), the ticket comment and the page, then the
   * audit entry. The opening level (the crew's own remediation) is audited only.
   */
  private async perform(record: EscalationRecord, revision: number, again: boolean): Promise<void> {
    const level = record.pending_level ?? record.level;
    const id = record.incident_id;
    const term = termOf(record);
    const cfg = this.config.levels[level];
    if (level === OPENING_LEVEL) {
      await this.audit.record(
        this.auditEntry({
          action: `escalation.${level}`,
          result: clip(
            `${term > 1 ? `reopened (term ${term})` : 'opened'} at ${level} (${cfg.description}); next level due ${record.deadline_at}${again ? '; recorded again after a crash' : ''}`,
            AUDIT_RESULT_MAX_LENGTH,
          ),
          input: { incident_id: id, level, reason: record.reason },
          incident_id: id,
          revision,
        }),
      );
      return;
    }
    await this.publisher.publish(
      SUBJECTS.incidentEscalated,
      escalatedEventPayload(record, level, this.config),
      {
        id: escalationKeys.event(id, level, term),
        // The same envelope every time: a re-publish within the duplicate window is dropped by the server.
        at: record.level_started_at,
      },
    );
    const ticket = { idempotency_key: escalationKeys.ticket(id) };
    if (level === firstHumanLevel(this.config)) {
      await this.outbox.enqueue({
        kind: 'ticket.transition',
        idempotency_key: escalationKeys.transition(id, term),
        ticket,
        to: 'escalated',
      });
    }
    await this.outbox.enqueue({
      kind: 'ticket.comment',
      idempotency_key: escalationKeys.comment(id, level, term),
      ticket,
      text: escalationComment(record, level, this.config),
    });
    const page = await this.outbox.enqueue({
      kind: 'notify',
      notification: escalationNotification(record, level, this.config),
    });
    const who = cfg.mention ?? cfg.handler;
    await this.audit.record(
      this.auditEntry({
        action: `escalation.${level}`,
        result: clip(
          `escalated to ${level}, paging ${who} (${page.created ? 'page queued' : 'page already queued'})` +
            `${again ? ' after a crash' : ''}: ${record.reason}`,
          AUDIT_RESULT_MAX_LENGTH,
        ),
        input: { incident_id: id, level, reason: record.reason, mention: cfg.mention ?? null },
        incident_id: id,
        revision,
      }),
    );
    if (!again) this.logger.warn(`${id}: escalated to ${level}, paging ${who}: ${record.reason}`);
  }

  /**
   * The L1 step of a chain just opened or reopened (its record and marker are written): audit it
   * and clear the marker. A failure is logged, not thrown — a tick takes the marker over and
   * audits again.
   */
  private async recordOpening(
    record: EscalationRecord,
    revision: number,
    what: string,
  ): Promise<void> {
    const id = record.incident_id;
    try {
      await this.perform(record, revision, false);
      await this.complete(id, OPENING_LEVEL);
    } catch (error) {
      this.logger.warn(
        `${id}: escalation ${what}, but recording it failed (${errorMessage(error)}); a later tick retries`,
      );
    }
    this.logger.log(
      `${id}: escalation ${what} at ${OPENING_LEVEL}, next level due ${record.deadline_at}`,
    );
  }

  /** Clears the pending marker of `level` (whoever wrote since, the side effects are done). */
  private async complete(incidentId: string, level: EscalationLevel): Promise<void> {
    await this.change(incidentId, (record) =>
      record.pending_level === level ? completed(record) : null,
    );
  }

  private async recordExhausted(record: EscalationRecord, revision: number): Promise<void> {
    const cfg = this.config.levels[record.level];
    const who = cfg.mention ?? cfg.handler;
    // Logged once: only the replica whose CAS set `exhausted` gets here.
    this.logger.warn(
      `${record.incident_id}: escalation exhausted at ${record.level} (${who}) — no acknowledgement within ` +
        `${cfg.timeout_minutes} min; nobody else will be paged`,
    );
    await this.audit.record(
      this.auditEntry({
        action: 'escalation.exhausted',
        result: `no acknowledgement at ${record.level} (${who}); the chain stays at ${record.level}, no further page`,
        input: { incident_id: record.incident_id, level: record.level },
        incident_id: record.incident_id,
        revision,
      }),
    );
  }

  /**
   * Reads, decides, writes by CAS; on a lost race decides again on what the winner wrote
   * (TypedKv.mutate: its one retry policy; `decide` is a pure transition). Writers of one
   * record are few (two jira-resolver replicas, an ack).
   */
  private async change(
    incidentId: string,
    decide: (record: EscalationRecord) => EscalationRecord | null,
  ): Promise<Change> {
    type Decided =
      Exclude<Change, { kind: 'changed' }> | { kind: 'wrote'; before: EscalationRecord };
    const out = await this.kv.mutate<Decided>(incidentId, (current) => {
      if (current === null) return { keep: { kind: 'missing' } };
      const next = decide(current.value);
      if (next === null) return { keep: { kind: 'unchanged', record: current.value } };
      return { put: next, result: { kind: 'wrote', before: current.value } };
    });
    if (out.result.kind !== 'wrote') return out.result;
    // A put that stuck always leaves its entry (value written, new revision).
    const written = out.entry as KvRevisioned<EscalationRecord>;
    await this.timers.sync(incidentId, written.value, written.revision);
    return {
      kind: 'changed',
      before: out.result.before,
      record: written.value,
      revision: written.revision,
    };
  }

  /**
   * Every readable record (a full scan: the reindex's, not every tick's); a corrupt one is
   * reported once and skipped, never blocks the others. The due index's key is not a record.
   */
  private async records(): Promise<KvItem<EscalationRecord>[]> {
    const items: KvItem<EscalationRecord>[] = [];
    for (const key of await this.kv.keys()) {
      if (key === this.timers.key) continue;
      const current = await this.readable(key);
      if (current !== null) items.push({ key, ...current });
    }
    return items;
  }

  /** The record, or null when it is missing or corrupt (reported once per revision). */
  private async readable(key: string): Promise<KvRevisioned<EscalationRecord> | null> {
    try {
      return await this.kv.get(key);
    } catch (error) {
      if (!(error instanceof KvCorruptValueError)) throw error;
      const tag = `${key}@${error.revision}`;
      if (!this.reportedCorrupt.has(tag)) {
        this.reportedCorrupt.add(tag);
        this.logger.error(`escalation ${key} is unreadable and skipped: ${error.message}`);
      }
      return null;
    }
  }

  private auditEntry(entry: Omit<AuditEntry, 'agent' | 'verdict'>): AuditEntry {
    return { agent: this.options.agent, verdict: 'allowed', ...entry };
  }

  /** A close is already written when it is audited: a failing sink is logged with the entry, not thrown. */
  private async auditBestEffort(entry: Omit<AuditEntry, 'agent' | 'verdict'>): Promise<void> {
    const full = this.auditEntry(entry);
    try {
      await this.audit.record(full);
    } catch (error) {
      this.logger.error(
        `audit ${full.action} for ${full.incident_id ?? '?'} failed (${errorMessage(error)}): ${full.result}`,
      );
    }
  }
}

function instant(at: Date | string): number {
  const ms = new Date(at).getTime();
  if (Number.isNaN(ms)) throw new Error(`escalation: "${String(at)}" is not a time`);
  return ms;
}

import { Logger } from '@nestjs/common';
import {
  ACTIVE_RUN_STATES,
  KV_BUCKETS,
  type RemediationRunRecord,
  type RestartLogRecord,
  type TicketClaimRecord,
  errorMessage,
} from '@opscrew/contracts';
import {
  bucketDeclaration,
  DUE_INDEX_KEY,
  DUE_INDEX_SCHEMA,
  KvDueIndex,
  type KvRevisioned,
  type TypedKv,
} from '@opscrew/messaging';
import { runDueAt } from './run/run-due';

/** `run.<incident id>`: one run per incident (a re-attempt replaces it, its attempt counter grows). */
export function runKey(incidentId: string): string {
  return `run.${incidentId}`;
}

export function restartKey(service: string): string {
  return `restart.${service}`;
}

/**
 * The `remediations` bucket: runs (the persisted state machine) and, per
 * service, when the crew last restarted it. Every write is a CAS; `null` back
 * means another replica moved first.
 *
 * Active runs are also in the bucket's due index (KvDueIndex, key `_due`): every run write
 * here syncs the run's entry (runDueAt), so the worker reads what is due in one read instead of
 * every key of the bucket. A new or re-queued run is indexed before it is written (never a run
 * without an entry); a failing index write is logged, not thrown — the run was written, and the
 * worker's periodic `reindexAll` repairs the index.
 */
export class RemediationRunsRepository {
  private readonly logger = new Logger(RemediationRunsRepository.name);
  private readonly index: KvDueIndex;

  constructor(
    private readonly runs: TypedKv<RemediationRunRecord>,
    private readonly restarts: TypedKv<RestartLogRecord>,
    private readonly listKeys: () => Promise<string[]>,
    private readonly ticketClaims?: TypedKv<TicketClaimRecord>,
  ) {
    this.index = new KvDueIndex(
      runs.view(DUE_INDEX_SCHEMA),
      bucketDeclaration(KV_BUCKETS.remediations).due_index_key ?? DUE_INDEX_KEY,
    );
  }

  /** Claims a human-filed ticket for one incident; null when another replica already took it. */
  async claimTicket(claim: TicketClaimRecord): Promise<boolean> {
    if (!this.ticketClaims) throw new Error('remediations: ticket claims are not configured');
    return (await this.ticketClaims.create(`ticket.${claim.ticket_key}`, claim)) !== null;
  }

  async ticketClaim(ticketKey: string): Promise<TicketClaimRecord | null> {
    return (await this.ticketClaims?.get(`ticket.${ticketKey}`))?.value ?? null;
  }

  get(incidentId: string): Promise<KvRevisioned<RemediationRunRecord> | null> {
    return this.runs.get(runKey(incidentId));
  }

  async create(run: RemediationRunRecord): Promise<number | null> {
    await this.preschedule(run);
    const revision = await this.runs.create(runKey(run.incident_id), run);
    if (revision !== null) {
      await this.sync(run, revision);
    } else {
      // It existed: put its entry back where the run that is there says.
      const existing = await this.runs.get(runKey(run.incident_id));
      if (existing) await this.sync(existing.value, existing.revision);
    }
    return revision;
  }

  async update(run: RemediationRunRecord, revision: number): Promise<number | null> {
    // A re-attempt brings a finished run back: indexed first, like a new one.
    if (run.state === 'queued') await this.preschedule(run);
    const written = await this.runs.update(runKey(run.incident_id), run, revision);
    if (written !== null) await this.sync(run, written);
    return written;
  }

  /**
   * Active runs the due index says need a step at `now` (epoch ms), read fresh. An entry whose
   * run is gone or finished is dropped on the way.
   */
  async due(now: number): Promise<KvRevisioned<RemediationRunRecord>[]> {
    const out: KvRevisioned<RemediationRunRecord>[] = [];
    for (const entry of await this.index.due(now)) {
      const run = await this.runs.get(runKey(entry.id));
      if (run && ACTIVE_RUN_STATES.includes(run.value.state)) {
        out.push(run);
      } else {
        await this.unindex(entry.id, run?.revision ?? Number.MAX_SAFE_INTEGER);
      }
    }
    return out;
  }

  /** Sets the run's index entry from the run as stored (a run the engine left alone). */
  async reindex(entry: KvRevisioned<RemediationRunRecord>): Promise<void> {
    await this.sync(entry.value, entry.revision);
  }

  /**
   * Rebuilds the index from every run (a full scan): at start (runs written before the index
   * existed) and now and then, to repair an index write that failed. Returns the active runs.
   */
  async reindexAll(): Promise<number> {
    const active = await this.active();
    const indexed = new Set(active.map((entry) => entry.value.incident_id));
    for (const entry of active) await this.sync(entry.value, entry.revision);
    for (const entry of await this.index.entries()) {
      if (indexed.has(entry.id)) continue;
      const run = await this.runs.get(runKey(entry.id));
      await this.sync(run?.value ?? null, run?.revision ?? Number.MAX_SAFE_INTEGER, entry.id);
    }
    return active.length;
  }

  /** Runs not finished yet (a scan of every key: reindexAll's, not the worker's tick). */
  async active(): Promise<KvRevisioned<RemediationRunRecord>[]> {
    const out: KvRevisioned<RemediationRunRecord>[] = [];
    for (const key of await this.listKeys()) {
      if (!key.startsWith('run.')) continue;
      const entry = await this.runs.get(key);
      if (entry && ACTIVE_RUN_STATES.includes(entry.value.state)) out.push(entry);
    }
    return out;
  }

  /** Every run, finished ones too (a scan of every key: the daily report's, once a day). */
  async all(): Promise<RemediationRunRecord[]> {
    const out: RemediationRunRecord[] = [];
    for (const key of await this.listKeys()) {
      if (!key.startsWith('run.')) continue;
      const entry = await this.runs.get(key);
      if (entry) out.push(entry.value);
    }
    return out;
  }

  /** Before a write that makes the run due: its entry is pulled in (never out) first. */
  private async preschedule(run: RemediationRunRecord): Promise<void> {
    const due = runDueAt(run);
    if (due === null) return;
    try {
      await this.index.schedule(run.incident_id, due, 0);
    } catch (error) {
      // The run is still written: a broken index must not stop remediation (reindexAll repairs).
      this.logger.warn(
        `${run.incident_id}: due index not updated (${errorMessage(error)}); the next reindex repairs it`,
      );
    }
  }

  /** The run's entry as the run at `revision` says (null: gone); logged, not thrown. */
  private async sync(
    run: RemediationRunRecord | null,
    revision: number,
    incidentId = run?.incident_id ?? '',
  ): Promise<void> {
    const due = run === null ? null : runDueAt(run);
    try {
      if (due === null) await this.index.remove(incidentId, revision);
      else await this.index.schedule(incidentId, due, revision);
    } catch (error) {
      this.logger.warn(
        `${incidentId}: due index not updated (${errorMessage(error)}); the next reindex repairs it`,
      );
    }
  }

  private unindex(incidentId: string, revision: number): Promise<void> {
    return this.sync(null, revision, incidentId);
  }

  lastRestart(service: string): Promise<KvRevisioned<RestartLogRecord> | null> {
    return this.restarts.get(restartKey(service));
  }

  async recordRestart(entry: RestartLogRecord): Promise<void> {
    await this.restarts.put(restartKey(entry.service), entry);
  }

  /** Restarts by the crew within the window, across all services (the latest per service). */
  async restartsSince(sinceMs: number): Promise<RestartLogRecord[]> {
    const found: RestartLogRecord[] = [];
    for (const key of await this.listKeys()) {
      if (!key.startsWith('restart.')) continue;
      const entry = await this.restarts.get(key);
      if (entry && Date.parse(entry.value.at) >= sinceMs) found.push(entry.value);
    }
    return found;
  }
}

import {
  ACTIVE_RUN_STATES,
  type RemediationRunRecord,
  type RestartLogRecord,
  type TicketClaimRecord,
} from '@opscrew/contracts';
import { type KvRevisioned, type TypedKv } from '@opscrew/messaging';

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
 */
export class RemediationRunsRepository {
  constructor(
    private readonly runs: TypedKv<RemediationRunRecord>,
    private readonly restarts: TypedKv<RestartLogRecord>,
    private readonly listKeys: () => Promise<string[]>,
    private readonly ticketClaims?: TypedKv<TicketClaimRecord>,
  ) {}

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

  create(run: RemediationRunRecord): Promise<number | null> {
    return this.runs.create(runKey(run.incident_id), run);
  }

  update(run: RemediationRunRecord, revision: number): Promise<number | null> {
    return this.runs.update(runKey(run.incident_id), run, revision);
  }

  /** Runs not finished yet. */
  async active(): Promise<KvRevisioned<RemediationRunRecord>[]> {
    const out: KvRevisioned<RemediationRunRecord>[] = [];
    for (const key of await this.listKeys()) {
      if (!key.startsWith('run.')) continue;
      const entry = await this.runs.get(key);
      if (entry && ACTIVE_RUN_STATES.includes(entry.value.state)) out.push(entry);
    }
    return out;
  }

  lastRestart(service: string): Promise<KvRevisioned<RestartLogRecord> | null> {
    return this.restarts.get(restartKey(service));
  }

  async recordRestart(entry: RestartLogRecord): Promise<void> {
    await this.restarts.put(restartKey(entry.service), entry);
  }

  /** Restarts by the crew within the window, across all services. */
  async restartsSince(sinceMs: number): Promise<number> {
    let count = 0;
    for (const key of await this.listKeys()) {
      if (!key.startsWith('restart.')) continue;
      const entry = await this.restarts.get(key);
      if (entry && Date.parse(entry.value.at) >= sinceMs) count++;
    }
    return count;
  }
}

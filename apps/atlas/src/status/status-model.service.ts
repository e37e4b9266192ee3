import { Inject, Injectable, Optional } from '@nestjs/common';
import { errorMessage, type IncidentRecord, type LeaseRecord } from '@opscrew/contracts';
import { IncidentLedger, type TypedKv } from '@opscrew/messaging';
import { IncidentsView } from '../ledger/incidents-view.service';
import { type AgentLiveness } from '../liveness/agent-liveness';
import { LivenessService } from '../liveness/liveness.service';
import { lockViews } from '../mcp/crew-state.reader';
import { IncidentTicketLookup } from './incident-tickets.lookup';
import {
  bounded,
  type CrewRow,
  type IncidentRow,
  type LockRow,
  STATUS_ROW_LIMITS,
  type StatusModel,
  type StatusSection,
} from './status-model';
import {
  type ReportsSource,
  type SilencesSource,
  type SlosSource,
  STATUS_REPORTS,
  STATUS_SILENCES,
  STATUS_SLOS,
} from './status-sources';

/** The `locks` bucket, opened for the page (a token: the bucket is opened by a factory). */
export const STATUS_LOCK_STORE = Symbol('STATUS_LOCK_STORE');

/** How often the page reloads itself. */
export const STATUS_REFRESH_S = 10;

/**
 * A section whose source takes longer is shown as unavailable: the page answers within about
 * this long even when NATS is gone (KV reads would wait for their own, longer timeouts).
 */
export const SECTION_TIMEOUT_MS = 3_000;

/**
 * Assembles the status page's model from atlas's own views (liveness, the incidents view,
 * the locks bucket, the outbox for tickets) and the optional sources. Each section is read
 * on its own: one that fails or hangs is reported in its place, never fails the page.
 */
@Injectable()
export class StatusModelService {
  constructor(
    private readonly liveness: LivenessService,
    private readonly incidents: IncidentsView,
    private readonly ledger: IncidentLedger,
    @Inject(STATUS_LOCK_STORE) private readonly locks: Pick<TypedKv<LeaseRecord>, 'values'>,
    private readonly tickets: IncidentTicketLookup,
    @Optional() @Inject(STATUS_SILENCES) private readonly silences: SilencesSource | null = null,
    @Optional() @Inject(STATUS_SLOS) private readonly slos: SlosSource | null = null,
    @Optional() @Inject(STATUS_REPORTS) private readonly reports: ReportsSource | null = null,
  ) {}

  private inflight: Promise<StatusModel> | null = null;

  /**
   * The model now; requests that arrive while one is being assembled share it. Every open page
   * reloads every 10 s, and each build reads several buckets: ten viewers at once cost one build.
   */
  current(): Promise<StatusModel> {
    this.inflight ??= this.build().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  async build(now: Date = new Date()): Promise<StatusModel> {
    const [crew, incidents, locks, silences, slos, reports] = await Promise.all([
      section(async () => {
        const rows = (await this.liveness.snapshot(now)).map(crewRow);
        return { status: 'ok', rows, total: rows.length } as const;
      }),
      section(() => this.openIncidents()),
      section(async () =>
        bounded(
          lockViews(await this.locks.values(), now.getTime()).map(lockRow),
          STATUS_ROW_LIMITS.locks,
        ),
      ),
      optional(this.silences, (rows) =>
        bounded(
          [...rows].sort((a, b) => a.until.localeCompare(b.until)),
          STATUS_ROW_LIMITS.silences,
        ),
      ),
      optional(this.slos, (rows) =>
        bounded(
          // Alerting first, then the least budget left: what needs eyes is at the top.
          [...rows].sort(
            (a, b) =>
              Number(b.alerting) - Number(a.alerting) ||
              (a.budget_remaining_ratio ?? Infinity) - (b.budget_remaining_ratio ?? Infinity) ||
              a.service.localeCompare(b.service),
          ),
          STATUS_ROW_LIMITS.slos,
        ),
      ),
      optional(this.reports, (rows) => bounded(rows, STATUS_ROW_LIMITS.reports)),
    ]);
    return {
      generated_at: now.toISOString(),
      refresh_s: STATUS_REFRESH_S,
      crew,
      incidents,
      locks,
      silences,
      slos,
      reports,
    };
  }

  private async openIncidents(): Promise<StatusSection<IncidentRow>> {
    // The in-memory view; until its first load, the ledger (as GET /incidents does).
    const open =
      this.incidents.open() ??
      (await this.ledger.list()).filter((record) => record.phase !== 'resolved');
    const shown = open.slice(0, STATUS_ROW_LIMITS.incidents);
    // A ticket that cannot be looked up leaves the column empty, not the section.
    const tickets = await this.tickets
      .tickets(shown.map((record) => record.incident_id))
      .catch(() => new Map<string, never>());
    return {
      status: 'ok',
      rows: shown.map((record) => incidentRow(record, tickets.get(record.incident_id) ?? null)),
      total: open.length,
    };
  }
}

function crewRow(entry: AgentLiveness): CrewRow {
  return {
    agent: entry.agent,
    state: entry.enabled ? entry.state : 'disabled',
    last_heartbeat_at: entry.last_heartbeat_at,
    heartbeat_age_s: entry.heartbeat_age_s,
    max_age_s: entry.max_age_s,
    version: entry.version,
    pid: entry.pid,
    replicas: entry.replicas.map(({ replica, stale, at, pid }) => ({ replica, stale, at, pid })),
  };
}

function incidentRow(record: IncidentRecord, ticket: IncidentRow['ticket']): IncidentRow {
  return {
    incident_id: record.incident_id,
    service: record.service,
    symptom: record.symptom,
    severity: record.severity,
    phase: record.phase,
    detected_at: record.detected_at,
    updated_at: record.updated_at,
    ticket,
  };
}

function lockRow(view: ReturnType<typeof lockViews>[number]): LockRow {
  return {
    key: view.key,
    service: view.service,
    holder: view.holder,
    reason: view.reason,
    expires_at: view.expires_at,
    expires_in_s: view.expires_in_s,
    state: view.state,
  };
}

/** Runs one section's read, bounded in time; a failure becomes the section's "unavailable". */
async function section<T>(read: () => Promise<StatusSection<T>>): Promise<StatusSection<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${SECTION_TIMEOUT_MS / 1000} s`)),
      SECTION_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([read(), timeout]);
  } catch (error: unknown) {
    return { status: 'unavailable', reason: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** A pluggable section: "not configured" without a source. */
function optional<V>(
  source: (() => Promise<readonly V[]>) | null,
  shape: (rows: readonly V[]) => StatusSection<V>,
): Promise<StatusSection<V>> {
  if (source === null) return Promise.resolve({ status: 'not_configured' });
  return section(async () => shape(await source()));
}

import { type IncidentPhase, type OutboxState, type Severity } from '@opscrew/contracts';
import { type ReportView, type SilenceView, type SloView } from './status-sources';

/** How many rows each section shows at most: the page stays small and fast under a storm. */
export const STATUS_ROW_LIMITS = {
  incidents: 50,
  locks: 50,
  silences: 50,
  slos: 50,
  reports: 20,
} as const;

/**
 * One section of the page: its rows (at most the limit) and how many there are in all; or
 * "not configured" (no source injected); or unavailable (its source failed or was too slow —
 * the rest of the page still renders).
 */
export type StatusSection<T> =
  | { readonly status: 'ok'; readonly rows: readonly T[]; readonly total: number }
  | { readonly status: 'not_configured' }
  | { readonly status: 'unavailable'; readonly reason: string };

export type CrewState = 'alive' | 'stale' | 'never_seen' | 'disabled';

export interface CrewRow {
  readonly agent: string;
  readonly state: CrewState;
  readonly last_heartbeat_at: string | null;
  readonly heartbeat_age_s: number | null;
  readonly max_age_s: number;
  readonly version: string | null;
  readonly pid: number | null;
  /** Every replica with a heartbeat key, newest first: several may run against one bus. */
  readonly replicas: readonly CrewReplica[];
}

/** One replica of an agent on the status page. */
export interface CrewReplica {
  readonly replica: string;
  readonly stale: boolean;
  readonly at: string;
  readonly pid: number;
}

/** The incident's own ticket, as far as atlas can see it (its creation in the outbox). */
export interface TicketView {
  /** The tracker key once created (`OPS-12`); null while the creation is still queued. */
  readonly key: string | null;
  /** A link to it (Jira); null for the local tracker or before creation. */
  readonly url: string | null;
  /** The creation's outbox state (`pending`, `delivered`, `failed`, …). */
  readonly state: OutboxState;
}

export interface IncidentRow {
  readonly incident_id: string;
  readonly service: string;
  readonly symptom: string;
  readonly severity: Severity;
  readonly phase: IncidentPhase;
  readonly detected_at: string;
  readonly updated_at: string;
  /** null: no ticket known (observe mode, an informational incident, or already swept). */
  readonly ticket: TicketView | null;
}

export interface LockRow {
  readonly key: string;
  readonly service: string | null;
  readonly holder: string;
  readonly reason: string;
  readonly expires_at: string;
  readonly expires_in_s: number;
  readonly state: 'live' | 'expired';
}

/** Everything `GET /` shows, also served as `GET /status.json`. */
export interface StatusModel {
  /** ISO-8601 UTC: when the model was assembled (the page's "now"). */
  readonly generated_at: string;
  /** How often the page reloads itself, in seconds. */
  readonly refresh_s: number;
  readonly crew: StatusSection<CrewRow>;
  readonly incidents: StatusSection<IncidentRow>;
  readonly locks: StatusSection<LockRow>;
  readonly silences: StatusSection<SilenceView>;
  readonly slos: StatusSection<SloView>;
  readonly reports: StatusSection<ReportView>;
}

/** The first `limit` rows and the total: the shape every bounded section takes. */
export function bounded<T>(rows: readonly T[], limit: number): StatusSection<T> {
  return { status: 'ok', rows: rows.slice(0, limit), total: rows.length };
}

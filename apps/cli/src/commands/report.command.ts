import {
  type LoadedConfig,
  nextReportRun,
  type ReportSchedule,
  reportSchedules,
} from '@opscrew/config';
import { errorMessage } from '@opscrew/contracts';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

export interface ReportOptions extends ConfigCommandOptions {
  readonly now?: boolean;
  /** The owning agent's base URL, instead of http://<http.host>:<agents.<agent>.port>. */
  readonly url?: string;
}

/** The agent answers within this or is reported as not answering (a report is built in ms). */
const REQUEST_TIMEOUT_MS = 15_000;

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** `opscrew report list`: every report, its owner, cron, zone and next run (from the config). */
export function reportList(options: ConfigCommandOptions, io: CliIo, now = new Date()): number {
  const loaded = loadForCli(options, io);
  if ('exitCode' in loaded) return loaded.exitCode;
  let schedules: ReportSchedule[];
  try {
    schedules = reportSchedules(loaded.loaded.config);
  } catch (error) {
    io.err(errorMessage(error));
    return EXIT_INVALID;
  }
  const rows = schedules.map((s) => [
    s.name,
    s.agent,
    s.cron,
    s.timezone,
    s.enabled ? nextRunText(s, now) : 'disabled',
    s.description,
  ]);
  const header = ['NAME', 'AGENT', 'CRON', 'TIME ZONE', 'NEXT RUN', 'DESCRIPTION'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows])
    io.out(
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    );
  return EXIT_OK;
}

/** `2026-12-08 09:00 Asia/Seoul (2026-12-08T00:00:00.000Z)`: the zone's wall clock, and UTC. */
function nextRunText(schedule: ReportSchedule, now: Date): string {
  const next = nextReportRun(schedule, now);
  const local = new Intl.DateTimeFormat('sv-SE', {
    timeZone: schedule.timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(next);
  return `${local} ${schedule.timezone} (${next.toISOString()})`;
}

/**
 * `opscrew report <name> --now`: asks the agent that owns the report to build and publish it
 * now (`POST /reports/<name>`, bearer http.api_token); atlas forwards it to the notifier.
 */
export async function reportNow(
  name: string,
  options: ReportOptions,
  io: CliIo,
  fetchImpl: Fetch = fetch,
): Promise<number> {
  const loaded = loadForCli(options, io);
  if ('exitCode' in loaded) return loaded.exitCode;
  let schedules: ReportSchedule[];
  try {
    schedules = reportSchedules(loaded.loaded.config);
  } catch (error) {
    io.err(errorMessage(error));
    return EXIT_INVALID;
  }
  const schedule = schedules.find((s) => s.name === name);
  if (schedule === undefined) {
    io.err(
      `no report "${name}"; known: ${schedules.map((s) => s.name).join(', ') || 'none'} (opscrew report list)`,
    );
    return EXIT_INVALID;
  }
  if (!options.now) {
    io.err(
      `${name} is sent by ${schedule.agent} on "${schedule.cron}" (${schedule.timezone}); add --now to send it at once`,
    );
    return EXIT_INVALID;
  }
  const token = loaded.loaded.config.http.api_token;
  if (token === undefined) {
    io.err(
      'http.api_token is not configured: the agents refuse POST /reports (set OPSCREW_API_TOKEN in .env)',
    );
    return EXIT_INVALID;
  }
  const base = options.url ?? agentUrl(loaded.loaded, schedule.agent);
  const url = `${base.replace(/\/+$/, '')}/reports/${encodeURIComponent(name)}`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    io.err(
      `${schedule.agent} does not answer at ${base} (${causeOf(error)}): is it running? (opscrew start ${schedule.agent}; --url for another address)`,
    );
    return EXIT_FAILURE;
  }
  const body = (await response.json().catch(() => ({}))) as {
    sent?: unknown;
    event_id?: unknown;
    message?: unknown;
  };
  if (!response.ok) {
    const message = typeof body.message === 'string' ? body.message : response.statusText;
    io.err(`${schedule.agent} refused ${name} (HTTP ${response.status}): ${message}`);
    return response.status === 404 || response.status === 401 ? EXIT_INVALID : EXIT_FAILURE;
  }
  if (body.sent === false) {
    io.out(`${name}: nothing to report right now (nothing published)`);
    return EXIT_OK;
  }
  io.out(
    `${name}: published by ${schedule.agent} as ${typeof body.event_id === 'string' ? body.event_id : 'an event'}; atlas forwards it to the notifier`,
  );
  return EXIT_OK;
}

/** The agent's REST address: http.host (a wildcard bind is reached on loopback) and its port. */
export function agentUrl(loaded: LoadedConfig, agent: string): string {
  const { host } = loaded.config.http;
  const port = loaded.config.agents.get(agent)?.port;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port ?? 0}`;
}

/** fetch wraps the reason (ECONNREFUSED, a timeout) in `cause`. */
function causeOf(error: unknown): string {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string')
    return cause.code;
  return errorMessage(cause);
}

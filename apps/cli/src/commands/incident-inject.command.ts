import { randomUUID } from 'node:crypto';
import {
  defaultReportValue,
  describeWatchedServices,
  type LoadedConfig,
  resolveServiceName,
  SYMPTOMS,
} from '@opscrew/config';
import {
  errorMessage,
  DEDUP_KEY_MAX_LENGTH,
  DEDUP_KEY_PATTERN,
  IncidentRecord,
  KV_BUCKETS,
  SEVERITIES,
  type Severity,
  SUBJECTS,
} from '@opscrew/contracts';
import {
  EventPublisher,
  IncidentLedger,
  KvFactory,
  type NatsConnectionService,
} from '@opscrew/messaging';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { localCredentials, openCliBus } from './cli-bus';
import { type ConfigCommandOptions, loadForCli } from './config.commands';
import { DEFAULT_WAIT_S } from './incident-inject.defaults';

export interface InjectOptions extends ConfigCommandOptions {
  readonly service: string;
  readonly symptom: string;
  readonly value?: string;
  readonly severity?: string;
  readonly dedupKey?: string;
  readonly wait?: string;
}

/** The CLI reports under this name: `GET /incidents?reporter=cli`. */
export const CLI_REPORTER = 'cli';
/** Ten minutes: far beyond a fold (milliseconds) plus the ledger's catch-up, short of forever. */
const MAX_WAIT_S = 600;
/** The ledger is listed every half second while waiting: a handful of KV reads a second. */
const WAIT_POLL_MS = 500;
/**
 * A report and the incident event that folded it carry two machines' clocks: an incident
 * updated up to 5 s "before" the report is still the one it joined.
 */
const CLOCK_SKEW_MS = 5_000;

/**
 * `opscrew incident inject`: publish `incident.reported` (source `cli`, reporter `cli`) —
 * "this looks broken" — and let the crew decide: ops-monitor folds it into the fingerprint
 * ledger like its own detections, so five identical injects are one incident with count 5,
 * one ticket, at most one remediation. The crew mints the incident id; the CLI correlates by
 * its dedup key (`--dedup-key`, or a fresh `cli-<uuid>`), and with `--wait S` prints the
 * incident the report joined once the ledger shows it.
 */
export async function incidentInject(options: InjectOptions, io: CliIo): Promise<number> {
  const result = loadForCli(options, io);
  if ('exitCode' in result) return result.exitCode;
  const { config } = result.loaded;

  const problems = validateInject(options, result.loaded);
  if (problems.length > 0) {
    for (const problem of problems) io.err(problem);
    return EXIT_INVALID;
  }
  const service = resolveServiceName(config.services, options.service) ?? options.service;
  const value =
    options.value === undefined ? defaultReportValue(options.symptom) : Number(options.value);
  const severity = options.severity as Severity | undefined;
  const dedupKey = options.dedupKey ?? `cli-${randomUUID()}`;
  const waitS = options.wait === undefined ? DEFAULT_WAIT_S : Number(options.wait);

  let bus: NatsConnectionService | undefined;
  try {
    bus = await openCliBus(config, 'opscrew-cli', {
      credentials: localCredentials(result.loaded, 'cli'),
    });
    const published = await new EventPublisher(bus, 'cli').publish(SUBJECTS.incidentReported, {
      service,
      symptom: options.symptom,
      value,
      ...(severity !== undefined ? { severity } : {}),
      reporter: CLI_REPORTER,
      dedup_key: dedupKey,
      status: 'firing',
      summary: 'injected with opscrew incident inject',
      evidence: { injected_by: 'opscrew incident inject' },
    });
    io.out(
      `reported incident.reported: ${service} ${options.symptom} = ${value}, ` +
        `severity ${severity ?? 'from the alerting bands'}, dedup key ${dedupKey} ` +
        `(event ${published.event.id}, stream seq ${published.seq})`,
    );
    if (waitS === 0) return EXIT_OK;

    const ledger = new IncidentLedger(
      await new KvFactory(bus).open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    const joined = await waitForIncident(
      ledger,
      dedupKey,
      Date.parse(published.event.at),
      waitS * 1000,
    );
    if (joined === null) {
      io.err(
        `opscrew incident inject: no incident in the ledger carries dedup key ${dedupKey} after ${waitS} s ` +
          '(are ops-monitor and atlas running? a refused report is in deadletter.ops-monitor-reports)',
      );
      return EXIT_FAILURE;
    }
    io.out(
      `joined ${joined.incident_id}: ${joined.fingerprint} (${joined.severity}, ${joined.phase}, ` +
        `count ${joined.count}${joined.informational ? ', informational: the service is locked' : ''})`,
    );
    return EXIT_OK;
  } catch (error) {
    io.err(`opscrew incident inject: ${errorMessage(error)}`);
    return EXIT_FAILURE;
  } finally {
    await bus?.close().catch(() => undefined);
  }
}

/**
 * The incident this report joined: one that carries its dedup key and was written after it
 * (a key reused across days also sits on older incidents, untouched since).
 */
async function waitForIncident(
  ledger: IncidentLedger,
  dedupKey: string,
  reportedAt: number,
  timeoutMs: number,
): Promise<IncidentRecord | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = (await ledger.list({ dedup_key: dedupKey })).find(
      (record) => Date.parse(record.updated_at) >= reportedAt - CLOCK_SKEW_MS,
    );
    if (match) return match;
    if (Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}

function validateInject(options: InjectOptions, loaded: LoadedConfig): string[] {
  const problems: string[] = [];
  const { services } = loaded.config;
  if (resolveServiceName(services, options.service) === undefined) {
    problems.push(
      `--service: unknown service "${options.service}" (watched: ${describeWatchedServices(services)})`,
    );
  }
  if (!(SYMPTOMS as readonly string[]).includes(options.symptom)) {
    problems.push(
      `--symptom: unknown symptom "${options.symptom}" (known: ${SYMPTOMS.join(', ')})`,
    );
  }
  if (options.value !== undefined && !Number.isFinite(Number(options.value))) {
    problems.push(`--value: must be a number, got "${options.value}"`);
  }
  if (
    options.severity !== undefined &&
    !(SEVERITIES as readonly string[]).includes(options.severity)
  ) {
    problems.push(`--severity: must be one of ${SEVERITIES.join(', ')}, got "${options.severity}"`);
  }
  if (
    options.dedupKey !== undefined &&
    (options.dedupKey.length > DEDUP_KEY_MAX_LENGTH || !DEDUP_KEY_PATTERN.test(options.dedupKey))
  ) {
    problems.push(
      `--dedup-key: must be printable ASCII without spaces, at most ${DEDUP_KEY_MAX_LENGTH} characters, got "${options.dedupKey.slice(0, 64)}"`,
    );
  }
  if (options.wait !== undefined) {
    const wait = Number(options.wait);
    if (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_S)
      problems.push(
        `--wait: must be whole seconds between 0 and ${MAX_WAIT_S}, got "${options.wait}"`,
      );
  }
  return problems;
}

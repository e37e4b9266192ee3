import { type LoadedConfig, SYMPTOMS, type ThresholdsConfig } from '@opscrew/config';
import { KV_BUCKETS, SEVERITIES, type Severity, SUBJECTS } from '@opscrew/contracts';
import {
  counterSchema,
  EventPublisher,
  IncidentIdAllocator,
  KvFactory,
  type NatsConnectionService,
} from '@opscrew/messaging';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { openCliBus } from './cli-bus';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

export interface InjectOptions extends ConfigCommandOptions {
  readonly service: string;
  readonly symptom: string;
  readonly value?: string;
  readonly severity?: string;
}

/**
 * `opscrew incident inject`: publish a valid `incident.detected`, exactly as
 * ops-monitor would, so users can exercise the crew (ledger, ticket,
 * remediation) without breaking anything.
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
  const service = canonicalService(options.service, result.loaded) ?? options.service;
  const value = options.value === undefined ? defaultValue(options.symptom) : Number(options.value);
  const severity =
    (options.severity as Severity | undefined) ??
    severityFor(options.symptom, value, config.thresholds);

  let bus: NatsConnectionService | undefined;
  try {
    bus = await openCliBus(config, 'opscrew-cli');
    const allocator = new IncidentIdAllocator(
      await new KvFactory(bus).open(KV_BUCKETS.sequences, counterSchema),
    );
    const incidentId = await allocator.next();
    const now = new Date().toISOString();
    const published = await new EventPublisher(bus, 'cli').publish(SUBJECTS.incidentDetected, {
      incident_id: incidentId,
      fingerprint: `${service}:${options.symptom}`,
      service,
      symptom: options.symptom,
      severity,
      value,
      detected_at: now,
      evidence: { injected_by: 'opscrew incident inject' },
    });
    io.out(
      `published incident.detected ${incidentId}: ${service} ${options.symptom} = ${value}, severity ${severity} ` +
        `(event ${published.event.id}, stream seq ${published.seq})`,
    );
    return EXIT_OK;
  } catch (error) {
    io.err(`opscrew incident inject: ${(error as Error).message}`);
    return EXIT_FAILURE;
  } finally {
    await bus?.close().catch(() => undefined);
  }
}

function validateInject(options: InjectOptions, loaded: LoadedConfig): string[] {
  const problems: string[] = [];
  const watched = loaded.config.services.watched;
  if (!canonicalService(options.service, loaded)) {
    problems.push(
      `--service: unknown service "${options.service}" (watched: ${[...watched.keys()].join(', ')})`,
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
  return problems;
}

/** The configured name of a service given by name or alias (`cartservice` → `cart`). */
function canonicalService(name: string, loaded: LoadedConfig): string | undefined {
  const watched = loaded.config.services.watched;
  if (watched.has(name)) return name;
  for (const [canonical, service] of watched) if (service.aliases.includes(name)) return canonical;
  return undefined;
}

/** Without --value, a value just over the default threshold of the symptom's metric. */
function defaultValue(symptom: string): number {
  if (symptom.includes('latency')) return 6000;
  if (symptom.includes('error_rate')) return 0.12;
  return 1;
}

/** Severity from the configured bands when the symptom has a metric; otherwise high. */
function severityFor(symptom: string, value: number, thresholds: ThresholdsConfig): Severity {
  const bands = thresholds.alerting.severity;
  const field = symptom.includes('latency')
    ? 'latency_p99_ms'
    : symptom.includes('error_rate')
      ? 'error_rate_ratio'
      : undefined;
  if (!field) return 'high';
  for (const level of ['critical', 'high', 'medium', 'low'] as const) {
    const bound = bands[level][field];
    if (bound !== undefined && value >= bound) return level;
  }
  return 'info';
}

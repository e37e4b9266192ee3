import { userInfo } from 'node:os';
import { errorMessage, auditSubject, isAgentName } from '@opscrew/contracts';
import {
  ACKER_PATTERN,
  acknowledgeIncident,
  type EscalationLogger,
  inputDigest,
  isAckableIncidentId,
  openIncidentAck,
} from '@opscrew/guardrails';
import { EventPublisher, KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import { type AuditSink } from '@opscrew/ports';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { localCredentials, openCliBus } from './cli-bus';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

export interface AckOptions extends ConfigCommandOptions {
  readonly by?: string;
}

/** What the command takes from the machine it runs on; tests replace it. */
export interface AckEnvironment {
  /** The OS user name (the `--by` default). */
  readonly userName: () => string;
}

const defaultEnvironment: AckEnvironment = { userName: () => userInfo().username };

/**
 * `opscrew incident ack INC-…`: a person takes the incident. Stops its
 * escalation chain (no further pages) and records the ack in the ledger
 * through `incident.updated`.
 */
export async function incidentAck(
  incidentId: string,
  options: AckOptions,
  io: CliIo,
  env: AckEnvironment = defaultEnvironment,
): Promise<number> {
  if (!isAckableIncidentId(incidentId)) {
    io.err(
      `opscrew incident ack: "${incidentId}" is not an incident id (expected INC-YYYYMMDD-NNN-EEEE, e.g. INC-20250131-001-7k2q)`,
    );
    return EXIT_INVALID;
  }
  const by = acker(options.by, env);
  if ('problem' in by) {
    io.err(`opscrew incident ack: ${by.problem}`);
    return EXIT_INVALID;
  }
  const loaded = loadForCli(options, io);
  if ('exitCode' in loaded) return loaded.exitCode;
  const { config } = loaded.loaded;

  let bus: NatsConnectionService | undefined;
  try {
    bus = await openCliBus(config, 'opscrew-cli', {
      credentials: localCredentials(loaded.loaded, 'cli'),
    });
    const publisher = new EventPublisher(bus, 'cli');
    const ack = await openIncidentAck({
      factory: new KvFactory(bus),
      publisher,
      audit: busAuditSink(publisher),
      config: config.thresholds.escalation,
      logger: cliLogger(io),
    });
    const result = await acknowledgeIncident(ack, incidentId, by.name);
    if (result.outcome === 'resolved-without-escalation') {
      io.out(`${incidentId} is not escalating (resolved; no escalation was opened)`);
      return EXIT_OK;
    }
    if (result.outcome === 'unknown') {
      io.err(`unknown incident ${incidentId}`);
      return EXIT_FAILURE;
    }
    const record = result.record;
    if (result.outcome === 'acked') {
      io.out(`acknowledged ${incidentId}: escalation stopped at ${result.level} (by ${by.name})`);
    } else {
      io.out(
        `${incidentId} is not escalating (${record.state} by ${record.closed_by ?? '?'} at ${record.closed_at ?? '?'})`,
      );
    }
    if (!result.ledger.told && result.ledger.reason === 'publish-failed') {
      io.err(
        `opscrew incident ack: the escalation is stopped, but the ledger was not told (${result.ledger.error}); run the command again`,
      );
      return EXIT_FAILURE;
    }
    if (!result.ledger.told && result.ledger.reason === 'not-in-ledger') {
      io.err(`warning: ${incidentId} is not in the ledger; the ack is kept in its escalation only`);
    }
    return EXIT_OK;
  } catch (error) {
    io.err(`opscrew incident ack: ${errorMessage(error)}`);
    return EXIT_FAILURE;
  } finally {
    await bus?.close().catch(() => undefined);
  }
}

function acker(
  given: string | undefined,
  env: AckEnvironment,
): { name: string } | { problem: string } {
  if (given !== undefined) {
    return ACKER_PATTERN.test(given)
      ? { name: given }
      : {
          problem: `--by: "${given}" must be a short name (letters, digits, ".", "_", "-"; at most 64)`,
        };
  }
  let name: string;
  try {
    name = env.userName();
  } catch (error) {
    return { problem: `cannot tell who you are (${errorMessage(error)}); pass --by NAME` };
  }
  return ACKER_PATTERN.test(name)
    ? { name }
    : { problem: `your user name "${name}" is not a short name; pass --by NAME` };
}

/**
 * The ack's audit entry as an `audit.<agent>` event (the chain's owner,
 * jira-resolver; the envelope's source says it came from the CLI). Only a
 * digest of the input travels, as the audit port requires.
 */
function busAuditSink(publisher: EventPublisher): AuditSink {
  return {
    async record(entry): Promise<void> {
      const agent = isAgentName(entry.agent) ? entry.agent : 'jira-resolver';
      await publisher.publish(auditSubject(agent), {
        agent,
        action: entry.action,
        verdict: entry.verdict,
        input_digest: inputDigest(entry.input),
        result: entry.incident_id ? `${entry.incident_id}: ${entry.result}` : entry.result,
        ...(entry.revision !== undefined ? { revision: entry.revision } : {}),
      });
    },
  };
}

/** The engine's own progress lines are noise here; its warnings and errors are not. */
function cliLogger(io: CliIo): EscalationLogger {
  return {
    log: () => undefined,
    warn: (message) => io.err(`warning: ${message}`),
    error: (message) => io.err(`error: ${message}`),
  };
}

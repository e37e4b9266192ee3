import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { Command, CommanderError } from 'commander';
import { packageRoot, packageVersion } from '@opscrew/config';
import { errorMessage } from '@opscrew/contracts';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, processIo } from './cli-io';
import { type AuditTailOptions } from './commands/audit-tail.command';
import { type BusProvisionOptions } from './commands/bus-provision.command';
import { type ChatOptions } from './commands/chat.command';
import { type RegisterCommandsOptions } from './commands/discord-register.command';
import { type AckOptions } from './commands/incident-ack.command';
import { type InjectOptions } from './commands/incident-inject.command';
// The default alone: the command's file loads the bus and Nest, which `start all` never needs.
import { DEFAULT_WAIT_S } from './commands/incident-inject.defaults';
import { type ReportOptions } from './commands/report.command';
import { type NatsConfOptions } from './commands/nats-conf.command';

/**
 * Builds the `opscrew` command line; each action stores its exit code. Each action imports its
 * command when it runs: `opscrew start <agent>` (what `start all` spawns four times) then loads
 * that one agent, not the four of them, the demo, the MCP server and the chat client.
 */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('opscrew')
    .description('Four cooperating agents that detect, ticket, fix, verify and escalate incidents.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    });

  const configOption = [
    '--config <dir>',
    'config root holding opscrew.json5 (default: $OPSCREW_CONFIG or ./config)',
  ] as const;

  const config = program.command('config').description('validate or show the configuration');
  config
    .command('check')
    .description('validate every file and variable; exit 0 with a summary or 2 with every error')
    .option(...configOption)
    .action(async (options: { config?: string }) =>
      setExit((await import('./commands/config.commands')).configCheck(options, io)),
    );
  config
    .command('print')
    .description('print the resolved configuration as JSON, secrets and ${VAR} values as "***"')
    .option(...configOption)
    .action(async (options: { config?: string }) =>
      setExit((await import('./commands/config.commands')).configPrint(options, io)),
    );

  program
    .command('start')
    .description(
      'start one agent (atlas, ops-monitor, jira-resolver, demo-controller) or all of them',
    )
    .argument('<agent>', 'an agent name, or "all"')
    .option(...configOption)
    .option(
      '--local-nats',
      'start all: run our own nats-server with per-agent users (var/nats; port $OPSCREW_LOCAL_NATS_PORT, default 4322)',
    )
    .option(
      '--replicas <n>',
      'start all: N processes per agent (OPSCREW_REPLICA_ID <agent>-<i>; replica 1 on the configured port, the others on free ports; default 1)',
    )
    .action(
      async (
        agent: string,
        options: { config?: string; localNats?: boolean; replicas?: string },
      ) => {
        const { replicas, ...rest } = options;
        setExit(
          await (
            await import('./commands/start.command')
          ).start(
            agent,
            { ...rest, ...(replicas !== undefined ? { replicas: Number(replicas) } : {}) },
            io,
            cliEntry(),
          ),
        );
      },
    );

  program
    .command('demo')
    .description(
      'the whole loop on this machine: shop, crew, a fault story, a scorecard and var/demo/report.json',
    )
    .option('--out <dir>', 'where report.json and the run folders go (default var/demo)')
    .option('--builtin-load', 'use the built-in load driver even when Locust is installed')
    .option('--agent-ports <base>', 'the agents listen on BASE..BASE+3 (default 3000)')
    .option(
      '--shop-ports <base>',
      'the shop listens on BASE..BASE+8, its supervisor on BASE+90 (default 7100)',
    )
    .option(
      '--supervisor-port <port>',
      "the shop supervisor's control API (default: shop base + 90)",
    )
    .option('--locust-port <port>', "Locust's web UI, when Locust runs (default 8089)")
    .option('--free-ports', 'let the OS pick a free port for everything (beside another opscrew)')
    .option(
      '--local-nats',
      "run the demo's own nats-server with per-agent users (credentials in var/nats), as npm run demo does",
    )
    .action(
      async (options: {
        localNats?: boolean;
        out?: string;
        builtinLoad?: boolean;
        agentPorts?: string;
        shopPorts?: string;
        supervisorPort?: string;
        locustPort?: string;
        freePorts?: boolean;
      }) => {
        const { out, builtinLoad, localNats, ...ports } = options;
        setExit(
          await (
            await import('./demo/demo.runner')
          ).runDemo(
            {
              repoRoot: packageRoot(),
              bin: cliEntry(),
              ports,
              ...(out !== undefined ? { outDir: resolve(out) } : {}),
              ...(builtinLoad ? { builtinLoad: true } : {}),
              ...(localNats ? { localNats: true } : {}),
            },
            io,
          ),
        );
      },
    );

  program
    .command('shop')
    .description(
      'run the embedded demo shop (nine services under the process supervisor) until Ctrl-C',
    )
    .option(...configOption)
    .action(async (options: { config?: string }) =>
      setExit(await (await import('./commands/shop.command')).shop(options, io)),
    );

  program
    .command('audit')
    .description('read the audit trail')
    .command('tail')
    .description(
      'the last audit records of every agent (var/audit/<agent>.jsonl), merged in time order',
    )
    .option('-n, --lines <count>', 'how many records', '20')
    .option('--agent <name>', 'only this agent')
    .option('--json', 'one JSON object per line')
    .option(...configOption)
    .action(async (options: AuditTailOptions) =>
      setExit(await (await import('./commands/audit-tail.command')).auditTail(options, io)),
    );

  program
    .command('nats-conf')
    .description(
      'print the nats-server config with one least-privilege user per agent and the CLI (deploy/nats/nats.conf)',
    )
    .option(
      '--helm-values',
      'the same users as values of the NATS Helm chart (deploy/k8s/nats/values.yaml)',
    )
    .option(
      '--cluster <node>',
      'one node of the three-node cluster instead (nats-1|nats-2|nats-3: deploy/nats/cluster/<node>.conf)',
    )
    .option(...configOption)
    .action(async (options: NatsConfOptions) =>
      setExit((await import('./commands/nats-conf.command')).natsConf(options, io)),
    );

  program
    .command('bus')
    .description('the NATS bus')
    .command('provision')
    .description(
      'create or update the streams, durables and buckets (as the admin user: NATS_PASSWORD_ADMIN); agents only verify them',
    )
    .option(
      '--user <name>',
      'connect as this NATS user, its password from NATS_PASSWORD_<USER> (default: admin when NATS_PASSWORD_ADMIN or var/nats/credentials.env has its password, else the config’s bus credentials)',
    )
    .option(...configOption)
    .action(async (options: BusProvisionOptions) =>
      setExit(await (await import('./commands/bus-provision.command')).busProvision(options, io)),
    );

  program
    .command('mcp')
    .description(
      "serve the crew's MCP tools (incidents, locks, agent status) on stdio; logs go to stderr",
    )
    .option(...configOption)
    .action(async (options: { config?: string }) =>
      setExit(await (await import('./commands/mcp.command')).mcpServe(options, io)),
    );

  const report = program
    .command('report')
    .description("the crew's reports: `report list`, or `report <name> --now` to send one at once")
    .argument('<name>', 'a report name (opscrew report list)')
    .option('--now', 'build and send it now (its agent publishes it; atlas forwards it)')
    .option('--url <base>', "the owning agent's address (default http://<http.host>:<its port>)")
    .option(...configOption)
    .action(async (name: string, options: ReportOptions) =>
      setExit(await (await import('./commands/report.command')).reportNow(name, options, io)),
    );
  report
    .command('list')
    .description('every report: owner agent, cron, time zone and next run')
    .option(...configOption)
    .action(async (options: { config?: string }) =>
      setExit((await import('./commands/report.command')).reportList(options, io)),
    );

  const incident = program.command('incident').description('work with incidents');
  incident
    .command('inject')
    .description(
      'report an incident (incident.reported): ops-monitor folds it into the fingerprint ledger like its own detections',
    )
    .requiredOption('--service <name>', 'a watched service (name or alias)')
    .requiredOption('--symptom <symptom>', 'e.g. high_error_rate, high_latency, oom_kill')
    .option(
      '--value <number>',
      'observed value in the metric unit (error rate as a ratio, latency in ms)',
    )
    .option(
      '--severity <severity>',
      'critical, high, medium, low or info (default: from the alerting bands)',
    )
    .option(
      '--dedup-key <key>',
      'your correlation key, kept on the incident (default: a fresh cli-<uuid>)',
    )
    .option(
      '--wait <seconds>',
      `wait up to this long for the incident the report joined and print its id (default ${DEFAULT_WAIT_S}: do not wait)`,
    )
    .option(...configOption)
    .action(async (options: InjectOptions) =>
      setExit(
        await (await import('./commands/incident-inject.command')).incidentInject(options, io),
      ),
    );
  incident
    .command('ack')
    .description('acknowledge an incident: stop its escalation chain (no further pages)')
    .argument('<incident>', 'the incident id, INC-YYYYMMDD-NNN-EEEE')
    .option('--by <name>', 'who takes it (default: your OS user name)')
    .option(...configOption)
    .action(async (incidentId: string, options: AckOptions) =>
      setExit(
        await (
          await import('./commands/incident-ack.command')
        ).incidentAck(incidentId, options, io),
      ),
    );

  program
    .command('chat')
    .description(
      'run a ChatOps command through atlas, as in Discord: "/status [service]", "/incident <id>", "/ack <id>", "/restart <service>", "/silence <service> <duration> [reason]"',
    )
    .argument('<command>', 'the command text, quoted, e.g. "/status cart"')
    .option('--by <name>', 'who asks (default: your OS user name)')
    .option('--url <url>', "atlas's base URL (default: http.host and agents.atlas.port)")
    .option(...configOption)
    .action(async (text: string, options: ChatOptions) =>
      setExit(await (await import('./commands/chat.command')).chat(text, options, io)),
    );

  program
    .command('discord')
    .description('the Discord application behind ChatOps')
    .command('register-commands')
    .description(
      'register /status, /incident, /ack, /restart and /silence with Discord (bulk overwrite; needs integrations.discord_interactions with bot_token)',
    )
    .option(
      '--guild <id>',
      'register in this guild only (instant); default: the config, else global',
    )
    .option(...configOption)
    .action(async (options: RegisterCommandsOptions) =>
      setExit(
        await (
          await import('./commands/discord-register.command')
        ).registerDiscordCommands(options, io),
      ),
    );

  return program;
}

/** The `opscrew` executable, used to spawn agents as child processes. */
function cliEntry(): string {
  return join(packageRoot(), 'bin', 'opscrew.js');
}

/** Runs the CLI; resolves to the exit code (long-running commands resolve when they stop). */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  // Library logs (bus connects, retries) are noise on a command's output; agents set their own logger.
  Logger.overrideLogger(['error', 'warn']);
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are "errors" with exit code 0 in commander's exitOverride mode.
      return error.exitCode === 0 ? 0 : EXIT_INVALID;
    }
    io.err(`opscrew: ${errorMessage(error)}`);
    return EXIT_FAILURE;
  }
  return exitCode;
}

import { type Readable, type Writable } from 'node:stream';
import { Logger, type LoggerService } from '@nestjs/common';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { packageVersion } from '@opscrew/agent-core';
import { errorMessage, registerConfiguredSecrets } from '@opscrew/contracts';
import { auditFileFor, JsonlAuditLog } from '@opscrew/guardrails';
import { EventPublisher, KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import { createCrewMcpServer, openCrewMcpTools } from '../../../atlas/src';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { localCredentials, openCliBus } from './cli-bus';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

/** The protocol's streams; tests pass their own pair. */
export interface McpStdio {
  readonly stdin: Readable;
  readonly stdout: Writable;
  /** Resolves when the server should stop (default: SIGINT or SIGTERM). */
  readonly stopSignal?: Promise<void>;
}

/**
 * `opscrew mcp` sessions share one audit file: each MCP client spawns its own
 * server, so this file has several writers (whole-line appends), unlike the
 * agents' one-writer files.
 */
const STDIO_AUDIT_FILE = auditFileFor('mcp');

/**
 * `opscrew mcp`: the crew's MCP server over stdio, for an assistant on this
 * host. stdout carries the protocol and nothing else: every line this command
 * or a library would log goes to stderr.
 */
export async function mcpServe(
  options: ConfigCommandOptions,
  io: CliIo,
  stdio: McpStdio = { stdin: process.stdin, stdout: process.stdout },
): Promise<number> {
  const say = (line: string): void => io.err(line);
  // Config warnings and errors go to stderr too; a config summary on stdout would break the client.
  const loaded = loadForCli(options, { out: say, err: say });
  if ('exitCode' in loaded) return loaded.exitCode;
  const { config } = loaded.loaded;
  // A long-lived server whose answers reach a model client: its configured secrets are scrubbed
  // from every exit in every encoding, as in an agent (runAgent registers them the same way).
  registerConfiguredSecrets(loaded.loaded.secrets);
  if (!config.mcp_server.enabled) {
    say(
      `opscrew mcp: the MCP server is disabled (mcp_server.enabled: false in ${loaded.loaded.configRoot})`,
    );
    return EXIT_INVALID;
  }
  Logger.overrideLogger(stderrLogger(say));

  let bus: NatsConnectionService | undefined;
  let audit: JsonlAuditLog | undefined;
  try {
    bus = await openCliBus(config, 'opscrew-mcp', {
      credentials: localCredentials(loaded.loaded, 'cli'),
    });
    const publisher = new EventPublisher(bus, 'cli');
    const auditLog = new JsonlAuditLog({
      path: loaded.loaded.resolvePath(STDIO_AUDIT_FILE),
      rotate: config.files.rotate,
      publish: (subject, payload, publishOptions) =>
        publisher.publish(subject, payload, publishOptions),
    });
    audit = auditLog;
    const crew = await openCrewMcpTools({
      factory: new KvFactory(bus),
      publisher,
      config,
      audit: auditLog,
      logger: {
        log: () => undefined,
        warn: (m) => say(`warning: ${m}`),
        error: (m) => say(`error: ${m}`),
      },
    });
    const server = createCrewMcpServer({
      tools: crew.tools,
      withheld: crew.withheld,
      audit: auditLog,
      transport: 'stdio',
      version: packageVersion(),
    });
    const transport = new StdioServerTransport(stdio.stdin, stdio.stdout);
    const closed = new Promise<void>((resolve) => {
      server.onclose = resolve;
    });
    await server.connect(transport);
    say(
      `opscrew mcp: serving ${crew.tools.map((tool) => tool.name).join(', ')} on stdio ` +
        `(audit ${auditLog.path})`,
    );
    // The client ends the session by closing our stdin.
    const ended = new Promise<void>((resolve) => {
      stdio.stdin.once('end', resolve);
      stdio.stdin.once('close', resolve);
    });
    await Promise.race([closed, ended, stdio.stopSignal ?? signalled()]);
    await server.close();
    return EXIT_OK;
  } catch (error) {
    say(`opscrew mcp: ${errorMessage(error)}`);
    return EXIT_FAILURE;
  } finally {
    await audit?.flush().catch(() => undefined);
    await bus?.close().catch(() => undefined);
  }
}

/** Nest's console logger writes to stdout; here every level goes to stderr. */
function stderrLogger(say: (line: string) => void): LoggerService {
  const line =
    (level: string) =>
    (message: unknown, ...rest: unknown[]): void => {
      const context =
        typeof rest[rest.length - 1] === 'string' ? ` [${String(rest[rest.length - 1])}]` : '';
      say(`${level}${context}: ${String(message)}`);
    };
  return { log: () => undefined, warn: line('warn'), error: line('error') };
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

import {
  Body,
  Controller,
  Delete,
  Get,
  Inject,
  Logger,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ApiTokenGuard, packageVersion } from '@opscrew/agent-core';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { errorMessage } from '@opscrew/contracts';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import { type Request, type Response } from 'express';
import { createCrewMcpServer } from './crew-mcp.server';
import { type CrewMcpTools } from './crew-mcp.wiring';

/** Nest token of atlas's CrewMcpTools. */
export const CREW_MCP_TOOLS = Symbol('CREW_MCP_TOOLS');

/** Hosts that only this machine can reach. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * `POST /mcp`: the crew's MCP server over streamable HTTP, stateless (a fresh
 * server and transport per request, JSON answers, no sessions): every tool is
 * a single read or an idempotent ack, so there is nothing to keep between calls.
 * `GET` (server-initiated streams) and `DELETE` (sessions) answer 405.
 *
 * Every method needs `Authorization: Bearer <http.api_token>`, like the other
 * mutating endpoints: ack_incident can stop pages, and even the reads are a
 * whole view of the crew handed to a program, not a glance by an operator.
 */
@Controller('mcp')
@UseGuards(ApiTokenGuard)
export class McpController {
  private readonly logger = new Logger(McpController.name);
  private readonly loopback: boolean;

  constructor(
    @Inject(CREW_MCP_TOOLS) private readonly crew: CrewMcpTools,
    @Inject(AUDIT) private readonly audit: AuditSink,
    @Inject(LOADED_CONFIG) loaded: LoadedConfig,
  ) {
    this.loopback = LOOPBACK_HOSTS.has(loaded.config.http.host);
  }

  @Post()
  async post(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const server = createCrewMcpServer({
      tools: this.crew.tools,
      withheld: this.crew.withheld,
      audit: this.audit,
      transport: 'http',
      version: packageVersion(),
    });
    const port = req.socket.localPort;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      // Bound to loopback, the one way in from elsewhere is DNS rebinding (a web page whose
      // name now resolves to 127.0.0.1): only requests addressed to this host get through.
      ...(this.loopback && port !== undefined
        ? {
            enableDnsRebindingProtection: true,
            allowedHosts: [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`],
          }
        : {}),
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      this.logger.error(`MCP request failed: ${errorMessage(error)}`);
      if (!res.headersSent) {
        res.status(500).json({
          jsonrpc: '2.0',
          error: { code: -32603, message: 'internal error' },
          id: null,
        });
      }
    }
  }

  @Get()
  get(@Res() res: Response): void {
    methodNotAllowed(res);
  }

  @Delete()
  delete(@Res() res: Response): void {
    methodNotAllowed(res);
  }
}

/** Stateless: no server-initiated stream and no session to end. */
function methodNotAllowed(res: Response): void {
  res
    .status(405)
    .set('Allow', 'POST')
    .json({
      jsonrpc: '2.0',
      error: {
        code: -32000,
        message: 'Method not allowed: this MCP endpoint is stateless, POST only',
      },
      id: null,
    });
}

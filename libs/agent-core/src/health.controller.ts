import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { HealthCheckService } from '@nestjs/terminus';
import { type Response } from 'express';
import { NatsConnectionService } from '@opscrew/messaging';
import { AgentIdentity } from './agent-identity';
import { HeartbeatService } from './heartbeat.service';
import { LeadershipService } from './leadership.service';
import { NatsHealthIndicator } from './nats.health-indicator';

export interface HealthBody {
  status: 'ok' | 'error';
  agent: string;
  version: string;
  pid: number;
  uptime_s: number;
  nats: string;
  last_heartbeat_at: string | null;
  /** This process among its agent's replicas. */
  replica: string;
  /**
   * `leader` does the agent's once-only work; `standby` serves and waits to take over. Both
   * answer 200: a standby is ready to serve (docs/replicas.md).
   */
  role: 'leader' | 'standby';
  /** The agent's leader lease as this replica last saw it. */
  lease: { leader: string | null; term: number | null; expires_at: string | null };
  /** Present when status is "error": what is wrong, for a human reading a probe. */
  reason?: string;
}

/** `GET /health/live`: the process answers (see HealthController.live). */
export interface LiveBody {
  status: 'ok';
  agent: string;
  replica: string;
  pid: number;
  uptime_s: number;
}

/** `GET /health`: 200 when the agent can do its job, 503 with the reason when it cannot. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly natsIndicator: NatsHealthIndicator,
    private readonly identity: AgentIdentity,
    private readonly heartbeat: HeartbeatService,
    private readonly bus: NatsConnectionService,
    @Optional()
    @Inject(LeadershipService)
    private readonly leadership: LeadershipService | null = null,
  ) {}

  @Get('health')
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthBody> {
    const body: HealthBody = {
      status: 'ok',
      agent: this.identity.agent,
      version: this.identity.version,
      pid: this.identity.pid,
      uptime_s: this.identity.uptimeSeconds(),
      nats: this.bus.status(),
      last_heartbeat_at: this.heartbeat.lastHeartbeatAt?.toISOString() ?? null,
      replica: this.identity.replica,
      ...this.leaderFields(),
    };
    try {
      await this.health.check([() => this.natsIndicator.isHealthy('nats')]);
    } catch {
      // Terminus signals "down" by throwing 503; the body stays ours so probes and humans read one shape.
      response.status(503);
      body.status = 'error';
      body.reason = `NATS is ${body.nats}`;
    }
    return body;
  }

  /**
   * `GET /health/live`: 200 while this process serves HTTP — its event loop turns. What a
   * liveness probe asks. Not NATS: a bus outage is not cured by restarting every agent (nats.js
   * reconnects by itself, and a restart would only throw away in-memory detector state), so
   * `/health` (readiness: 503 while NATS is down) takes the pod out of rotation and this keeps it.
   */
  @Get('health/live')
  live(): LiveBody {
    return {
      status: 'ok',
      agent: this.identity.agent,
      replica: this.identity.replica,
      pid: this.identity.pid,
      uptime_s: this.identity.uptimeSeconds(),
    };
  }

  private leaderFields(): Pick<HealthBody, 'role' | 'lease'> {
    // Without an election (a narrow test module) the one process does everything: a leader.
    if (this.leadership === null) {
      return { role: 'leader', lease: { leader: null, term: null, expires_at: null } };
    }
    const view = this.leadership.view();
    return {
      role: view.role,
      lease: { leader: view.leader, term: view.term, expires_at: view.expires_at },
    };
  }
}

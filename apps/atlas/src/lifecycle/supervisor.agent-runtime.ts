import { errorMessage, type AgentName } from '@opscrew/contracts';
import { type SupervisorControl } from '@opscrew/config';
import { type AgentRuntime, refuseSelf, type RestartOutcome } from './agent-runtime.port';

/**
 * The supervisor stops a child within its 10 s grace period (then SIGKILL) and spawns it again;
 * 30 s covers that plus a loaded host.
 */
const RESTART_TIMEOUT_MS = 30_000;

/**
 * `liveness.runtime.kind: supervisor`: `opscrew start all`'s loopback control endpoint
 * (`POST /agents/:agent/restart`, the per-run bearer token the supervisor put in atlas's
 * environment). Without that environment (atlas started on its own) nothing can restart.
 */
export class SupervisorAgentRuntime implements AgentRuntime {
  readonly kind = 'supervisor' as const;

  constructor(
    private readonly control: SupervisorControl | undefined,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async restart(agent: AgentName): Promise<RestartOutcome> {
    const refused = refuseSelf(this.kind, agent);
    if (refused) return refused;
    if (this.control === undefined) {
      return {
        status: 'unsupported',
        runtime: this.kind,
        detail:
          'atlas is not running under `opscrew start all` (no supervisor control endpoint in its environment)',
      };
    }
    const url = `${this.control.url}/agents/${encodeURIComponent(agent)}/restart`;
    try {
      const response = await this.fetchFn(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.control.token}` },
        signal: AbortSignal.timeout(RESTART_TIMEOUT_MS),
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (!response.ok) {
        const said = typeof body.error === 'string' ? body.error : response.statusText;
        return {
          status: 'failed',
          runtime: this.kind,
          detail: `supervisor answered ${response.status}: ${said}`,
        };
      }
      const oldPid = pidOf(body.old_pid);
      const newPid = pidOf(body.new_pid);
      return {
        status: 'restarted',
        runtime: this.kind,
        old_pid: oldPid,
        new_pid: newPid,
        detail: `restarted by the supervisor (pid ${oldPid ?? '?'} → ${newPid ?? '?'})`,
      };
    } catch (error) {
      return {
        status: 'failed',
        runtime: this.kind,
        detail: `supervisor at ${this.control.url} unreachable: ${errorMessage(error)}`,
      };
    }
  }
}

function pidOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

import { type AgentName } from '@opscrew/contracts';
import { poll } from './demo-observer';
import { type Expectation, type Progress, type StepResult } from './demo-story';

/** What the crew chief's step needs of the demo's world. */
export interface CrewChiefWorld {
  agentUrl(agent: AgentName): string;
  /** SIGKILL to the agent's process, as a crash would; its PID, or null when none runs. */
  killAgent(agent: AgentName): number | null;
  /** `opscrew <args>` as a user runs it against the demo's config; its exit code and output. */
  cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The notifier's lines so far (the console notifier's JSONL file). */
  notifications(): readonly { readonly idempotency_key: string; readonly kind: string }[];
}

/**
 * The agent the story kills: jira-resolver has nothing to remediate under normal traffic, so its
 * absence changes nothing else the story checks (ops-monitor keeps delivering notices).
 */
const VICTIM: AgentName = 'jira-resolver';
/**
 * Demo heartbeats age out after 10 s (max_age_s), atlas checks every 2 s, and a new agent
 * boots in ~5 s on a loaded 2-core host: 60 s leaves ample room.
 */
const RESTART_WAIT_MS = 60_000;
/** The report the story sends at once (ops-monitor's daily one, 09:00 in production). */
const REPORT = 'ops-monitor-daily';
/** Built in milliseconds, forwarded by atlas, then delivered by an outbox worker's next pass. */
const REPORT_WAIT_MS = 30_000;

/**
 * atlas, the crew's chief, in front of the audience (runs beside normal traffic): its status
 * page's address, an agent killed with SIGKILL and restarted by atlas through the demo's
 * supervisor endpoint, `/status` answered through `opscrew chat`, and a scheduled report sent
 * at once (`opscrew report … --now`) reaching the notifier through atlas.
 */
export class CrewChiefStep {
  constructor(
    private readonly world: CrewChiefWorld,
    private readonly progress: Progress,
    private readonly signal?: AbortSignal,
  ) {}

  async run(): Promise<StepResult> {
    const started = new Date().toISOString();
    this.progress(`▶ atlas's status page: ${this.world.agentUrl('atlas')}/ (refreshes itself)`);
    const expectations: Expectation[] = [];
    expectations.push(await this.statusPage());
    expectations.push(await this.killedAgentRestarted());
    expectations.push(await this.chatStatus());
    expectations.push(await this.reportNow());
    return {
      name: 'crew chief',
      started_at: started,
      finished_at: new Date().toISOString(),
      expectations,
    };
  }

  private async statusPage(): Promise<Expectation> {
    const what = "atlas's status page answers";
    try {
      const response = await fetch(`${this.world.agentUrl('atlas')}/`, {
        signal: AbortSignal.timeout(5_000),
      });
      const html = await response.text();
      const ok = response.ok && html.includes('<html');
      return { what, ok, detail: `HTTP ${response.status}, ${html.length} bytes` };
    } catch (error) {
      return { what, ok: false, detail: (error as Error).message };
    }
  }

  private async killedAgentRestarted(): Promise<Expectation> {
    const what = `a ${VICTIM} killed with SIGKILL is restarted by atlas`;
    const killedAt = Date.now();
    const victim = this.world.killAgent(VICTIM);
    if (victim === null) return { what, ok: false, detail: `no ${VICTIM} process to kill` };
    this.progress(`▶ kill -9 ${VICTIM} (pid ${victim}): atlas should see it stale and restart it`);
    const restarted = await poll(
      async () => {
        const response = await fetch(`${this.world.agentUrl(VICTIM)}/health`, {
          signal: AbortSignal.timeout(2_000),
        }).catch(() => null);
        if (!response?.ok) return undefined;
        const body = (await response.json()) as { pid?: unknown };
        return typeof body.pid === 'number' && body.pid !== victim ? body.pid : undefined;
      },
      RESTART_WAIT_MS,
      500,
      this.signal,
    );
    const after = Math.round((Date.now() - killedAt) / 100) / 10;
    if (restarted === undefined) {
      this.progress(`  ✘ ${VICTIM} not back within ${RESTART_WAIT_MS / 1000} s`);
      return { what, ok: false, detail: `not back within ${RESTART_WAIT_MS / 1000} s` };
    }
    this.progress(`  ✔ ${VICTIM} restarted by atlas: healthy again ${after} s after the kill`);
    return { what, ok: true, detail: `pid ${victim} → ${restarted}, healthy after ${after} s` };
  }

  private async chatStatus(): Promise<Expectation> {
    const what = '`opscrew chat "/status"` answered by atlas';
    const { code, stdout, stderr } = await this.world.cli(['chat', '/status']);
    const ok = code === 0 && stdout.trim().length > 0;
    const first = (ok ? stdout : stderr)
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(0, 6);
    this.progress(`▶ opscrew chat "/status" → exit ${code}`);
    for (const line of first) this.progress(`    ${line}`);
    return {
      what,
      ok,
      detail: ok
        ? `${stdout.trim().split('\n').length} line(s)`
        : `exit ${code}: ${first.join(' | ')}`,
    };
  }

  private async reportNow(): Promise<Expectation> {
    const what = `\`opscrew report ${REPORT} --now\` reaches the notifier through atlas`;
    const { code, stdout, stderr } = await this.world.cli(['report', REPORT, '--now']);
    this.progress(`▶ opscrew report ${REPORT} --now → exit ${code}`);
    if (code !== 0) {
      const said = (stderr || stdout).trim().split('\n')[0] ?? '';
      return { what, ok: false, detail: `exit ${code}: ${said}` };
    }
    const prefix = `report:report.${REPORT}.now.`;
    const line = await poll(
      () =>
        Promise.resolve(
          this.world.notifications().find((entry) => entry.idempotency_key.startsWith(prefix)),
        ),
      REPORT_WAIT_MS,
      500,
      this.signal,
    );
    if (line === undefined) {
      this.progress(`  ✘ the report did not reach the notifier within ${REPORT_WAIT_MS / 1000} s`);
      return {
        what,
        ok: false,
        detail: `no ${prefix}… notification within ${REPORT_WAIT_MS / 1000} s`,
      };
    }
    this.progress(`  ✔ the report went out (${line.idempotency_key})`);
    return { what, ok: true, detail: line.idempotency_key };
  }
}

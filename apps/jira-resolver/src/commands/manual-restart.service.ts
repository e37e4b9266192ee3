import { Logger } from '@nestjs/common';
import { type OpscrewConfig } from '@opscrew/config';
import {
  type CommandRequester,
  type CommandRestartEvent,
  type CommandRunRecord,
  errorMessage,
  NOTE_MAX_LENGTH,
  serviceLockKey,
  SUBJECTS,
} from '@opscrew/contracts';
import { type RuntimePort, RuntimeRefusedError } from '@opscrew/integrations';
import { type Lease, type LeaseService, type TypedKv } from '@opscrew/messaging';
import { type AuditSink } from '@opscrew/ports';
import { type RuntimePolicy } from '@opscrew/sandbox';
import { RESTART_LEASE_TTL_MS } from '../remediation/actions/restart-service.action';
import { type RemediationRunsRepository } from '../remediation/remediation-runs.repository';
import { type PublisherLike } from '../remediation/remediation.deps';

const HOUR_MS = 3_600_000;
/** RestartLogRecord.incident_id is ≤ 32 characters: `command:` and the request id's start. */
const RESTART_LOG_ID_CHARS = 24;

/** `command.<request id>` in the `remediations` bucket: one run per request, ever. */
export function commandRunKey(requestId: string): string {
  return `command.${requestId}`;
}

/** What a human's restart goes through: the same ports as a runbook's restart step. */
export interface ManualRestartPorts {
  readonly config: Pick<OpscrewConfig, 'thresholds'>;
  /** jira-resolver's runtime policy: unknown, protected and `restartable: false` refused up front. */
  readonly policy: Pick<RuntimePolicy, 'check'>;
  /** The sandboxed runtime (policy again, fencing, observe mode, its own audit record). */
  readonly runtime: Pick<RuntimePort, 'restart'>;
  readonly leases: Pick<LeaseService, 'acquire' | 'release'>;
  /** The crew's restart log: cooldown and restarts per hour count human restarts too. */
  readonly restarts: Pick<
    RemediationRunsRepository,
    'lastRestart' | 'restartsSince' | 'recordRestart'
  >;
  /** The `remediations` bucket read as command runs (`command.<request id>`). */
  readonly commands: TypedKv<CommandRunRecord>;
  readonly publisher: PublisherLike;
  readonly audit: AuditSink;
  readonly now: () => Date;
  /** This replica's lease holder name (starts with `jira-resolver`: ops-monitor reads it as the crew's restart). */
  readonly holder: string;
}

type Verdict = { readonly ok: boolean; readonly text: string };

/**
 * `/restart <service>` from a human (command.restart): exactly the checks a runbook's
 * restart_service step makes — the runtime policy (unknown, protected, not restartable), the
 * cooldown since the crew's last restart, the restarts-per-hour budget, the service's lease
 * (a load test or a remediation holding it wins), the sandboxed runtime with the lease's fencing
 * token — and one audit record naming the human. The answer goes back on command.result.
 *
 * Not checked: a silence (/silence). A maintenance window stops the crew's automatic restarts;
 * a human restarting the service inside it is the maintenance itself.
 *
 * Idempotent: the run is claimed by a KV create on `command.<request id>` before anything is
 * done, so a redelivery never restarts twice — it repeats the answer (same event id: the stream
 * drops the copy), or, when a crash interrupted the first attempt, says so without acting.
 */
export class ManualRestart {
  private readonly logger = new Logger('ManualRestart');

  constructor(private readonly ports: ManualRestartPorts) {}

  async handle(command: CommandRestartEvent): Promise<Verdict> {
    const { commands, now } = this.ports;
    const key = commandRunKey(command.request_id);
    const claim: CommandRunRecord = {
      service: command.service,
      requested_by: requester(command.requested_by),
      state: 'started',
      started_at: now().toISOString(),
    };
    if ((await commands.create(key, claim)) === null) return this.repeat(command, key);

    const outcome = await this.run(command).catch((error: unknown): Verdict => ({
      ok: false,
      text: `restart of ${command.service} failed: ${errorMessage(error)}`,
    }));
    const verdict = { ok: outcome.ok, text: outcome.text.slice(0, NOTE_MAX_LENGTH) };
    await commands.put(key, { ...claim, state: 'done', ok: verdict.ok, text: verdict.text });
    await this.answer(command, verdict);
    return verdict;
  }

  private async run(command: CommandRestartEvent): Promise<Verdict> {
    const { policy, leases, runtime, publisher } = this.ports;
    const who = describeRequester(command.requested_by);
    const check = policy.check('restart', command.service);
    if (!check.allowed)
      return this.refuse(command, `not restarting ${command.service}: ${check.reason}`);
    const service = check.target.service;

    const guard = await this.guarded(service);
    if (guard) return this.refuse(command, guard);

    const holder = `${this.ports.holder}:cmd-${command.request_id}`;
    const why = `restart asked by ${who}`;
    const acquired = await leases.acquire(
      serviceLockKey(service),
      holder,
      RESTART_LEASE_TTL_MS,
      why,
    );
    if (!acquired.ok)
      return this.refuse(
        command,
        `not restarting ${service} now: ${acquired.held_by.holder} holds it until ${acquired.held_by.expires_at} (a load test or a remediation); try again after that`,
      );
    const lease = acquired.lease;
    await publisher.publish(SUBJECTS.lockAcquired, {
      service,
      holder,
      revision: lease.revision,
      expires_at: lease.expires_at,
      reason: why,
    });
    try {
      const outcome = await runtime.restart(
        service,
        { key: lease.key, revision: lease.revision },
        {
          agent: 'jira-resolver',
          reason: `${why}${command.reason ? `: ${command.reason}` : ''}`.slice(0, 500),
        },
      );
      if (outcome.dry_run) {
        const text = `observe mode: would restart ${service} for ${who}; nothing was restarted`;
        await this.record(command, 'allowed', text, lease.revision);
        return { ok: false, text };
      }
      await this.ports.restarts.recordRestart({
        service,
        at: this.ports.now().toISOString(),
        incident_id: `command:${command.request_id.slice(0, RESTART_LOG_ID_CHARS)}`,
      });
      const text = `restarted ${service} for ${who}; new instance started ${outcome.started_at ?? 'now'}`;
      await this.record(command, 'allowed', text, lease.revision);
      return { ok: true, text };
    } catch (error) {
      if (error instanceof RuntimeRefusedError)
        return this.refuse(command, `restart of ${service} refused: ${error.reason}`);
      const text = `restart of ${service} for ${who} failed: ${errorMessage(error)}`;
      await this.record(command, 'allowed', text, lease.revision);
      return { ok: false, text };
    } finally {
      await this.release(service, lease);
    }
  }

  /** The guardrails that say "not now" to a runbook say it to a human too (never bypassed). */
  private async guarded(service: string): Promise<string | null> {
    const { config, restarts, now } = this.ports;
    const limits = config.thresholds.guardrails;
    const at = now().getTime();
    const last = await restarts.lastRestart(service);
    const cooldownMs = limits.remediation.restart_cooldown_s * 1000;
    if (last && at - Date.parse(last.value.at) < cooldownMs) {
      const ago = Math.round((at - Date.parse(last.value.at)) / 1000);
      return `not restarting ${service}: it was restarted ${ago} s ago (for ${last.value.incident_id}); the cooldown is ${limits.remediation.restart_cooldown_s} s — restart loops hide the cause`;
    }
    const recent = await restarts.restartsSince(at - HOUR_MS);
    if (recent.length >= limits.rate_limits.restarts_per_hour)
      return `not restarting ${service}: ${recent.length} restarts by the crew in the last hour (limit ${limits.rate_limits.restarts_per_hour}) — a systemic problem; look at the whole system first`;
    return null;
  }

  private async refuse(command: CommandRestartEvent, text: string): Promise<Verdict> {
    await this.record(command, 'refused', text);
    return { ok: false, text };
  }

  /** A redelivered request: never acted on again. */
  private async repeat(command: CommandRestartEvent, key: string): Promise<Verdict> {
    const existing = await this.ports.commands.get(key);
    if (existing?.value.state === 'done' && existing.value.text !== undefined) {
      const verdict = { ok: existing.value.ok ?? false, text: existing.value.text };
      await this.answer(command, verdict);
      return verdict;
    }
    // Claimed, never finished: a crash mid-way. Whether the restart happened is unknown, and
    // restarting again could be the second restart: say so and leave it to the human.
    const text = `an earlier attempt at this restart of ${command.service} was interrupted; not restarting it twice — check the service and the audit trail, then ask again`;
    await this.record(command, 'refused', text);
    if (existing !== null)
      await this.ports.commands.put(key, { ...existing.value, state: 'done', ok: false, text });
    const verdict = { ok: false, text };
    await this.answer(command, verdict);
    return verdict;
  }

  private async release(service: string, lease: Lease): Promise<void> {
    try {
      if (await this.ports.leases.release(lease))
        await this.ports.publisher.publish(SUBJECTS.lockReleased, {
          service,
          holder: lease.holder,
          revision: lease.revision,
          reason: 'released',
        });
    } catch (error) {
      // The lease expires on its own within RESTART_LEASE_TTL_MS.
      this.logger.warn(
        `${service}: lease not released (${errorMessage(error)}); it expires by itself`,
      );
    }
  }

  private record(
    command: CommandRestartEvent,
    verdict: 'allowed' | 'refused',
    result: string,
    revision?: number,
  ): Promise<void> {
    return this.ports.audit.record({
      agent: 'jira-resolver',
      action: 'command.restart',
      verdict,
      // The human is named in the line itself: the input is kept only as a digest.
      result: `${result} [requested by ${describeRequester(command.requested_by)}, request ${command.request_id}]`,
      input: {
        request_id: command.request_id,
        service: command.service,
        requested_by: command.requested_by,
        reason: command.reason ?? null,
      },
      ...(revision !== undefined ? { revision } : {}),
    });
  }

  private async answer(command: CommandRestartEvent, verdict: Verdict): Promise<void> {
    await this.ports.publisher.publish(
      SUBJECTS.commandResult,
      { request_id: command.request_id, command: 'restart', ok: verdict.ok, text: verdict.text },
      // Deterministic: a repeated answer is dropped by the stream's duplicate window.
      { id: `command.result.${command.request_id}` },
    );
  }
}

function requester(by: CommandRequester): CommandRequester {
  return { via: by.via, id: by.id, name: by.name };
}

/** `alice (discord 284735193749618688)`: who, where from, and the id that cannot be renamed. */
export function describeRequester(by: CommandRequester): string {
  return `${by.name} (${by.via} ${by.id})`;
}

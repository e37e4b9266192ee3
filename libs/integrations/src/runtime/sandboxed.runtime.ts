import { Logger, type LoggerService } from '@nestjs/common';
import { errorMessage, serviceLockKey } from '@opscrew/contracts';
import { type AuditEntry, type AuditSink } from '@opscrew/ports';
import { type RuntimePolicy, type RuntimeTarget } from '@opscrew/sandbox';
import { type RuntimeDriver } from './runtime-driver';
import {
  type Fencing,
  type LogLines,
  type RestartOutcome,
  type RuntimeCaller,
  type RuntimeInspection,
  type RuntimePort,
  RuntimeRefusedError,
} from './runtime.port';

/** Is `revision` the live lease on `key`? The app passes `LeaseService.isCurrent`. */
export type FencingCheck = (key: string, revision: number) => Promise<boolean>;

/** `observe`: decisions are made and audited, restarts are not executed (agent config `mode`). */
export type RuntimeMode = 'act' | 'observe';

/**
 * Lines a single `logs` call may return. Logs go into tickets, notifications
 * and a model's context: 2000 lines (≤ 16 MiB at the 8 KiB line cap, typically
 * a few hundred KiB) is plenty for a diagnosis and bounds the cost (LLM10).
 */
export const MAX_LOG_TAIL = 2000;
/** What `execute('logs', …)` reads when the caller gives no tail: a screenful and a bit. */
export const DEFAULT_LOG_TAIL = 100;

export interface SandboxedRuntimeOptions {
  /** The agent whose sandbox this is: every caller must be this agent. */
  readonly agent: string;
  readonly driver: RuntimeDriver;
  readonly policy: RuntimePolicy;
  readonly fencing: FencingCheck;
  readonly audit: AuditSink;
  readonly mode: RuntimeMode;
  readonly logger?: Pick<LoggerService, 'log' | 'warn' | 'error'>;
}

interface Request {
  readonly command: string;
  readonly service: string;
  readonly caller: RuntimeCaller;
  readonly fencing?: Fencing;
  readonly tail?: number;
}

/**
 * The runtime port behind the sandbox. Every call, in this order:
 *
 * 1. the caller must be this runtime's agent;
 * 2. the policy decides (command, service) — refused ⇒ audit + RuntimeRefusedError;
 * 3. arguments are checked (log tail bounds, fencing key belongs to the service);
 * 4. restart only: the fencing token is checked against the lease RIGHT before
 *    acting (stale, released, expired or unreadable ⇒ refused);
 * 5. observe mode: a restart is audited as a dry run and not executed;
 * 6. the driver acts, and the outcome (or its failure) is audited.
 *
 * A refused call never reaches the driver. The audit record carries the
 * verdict, a one-line result, the fencing revision and the digest of the
 * request (never the request: the caller's reason may quote ticket text).
 *
 * Fencing is as strong as a check-then-act can be: Docker and the process
 * supervisor take no token, so a lease lost in the few milliseconds between
 * the check and the restart is not caught. The lease TTL (≥ 1 s, renewed at
 * 75 %) makes that window far smaller than any lease hand-over.
 */
export class SandboxedRuntime implements RuntimePort {
  readonly kind: 'docker' | 'process';
  private readonly logger: Pick<LoggerService, 'log' | 'warn' | 'error'>;

  constructor(private readonly options: SandboxedRuntimeOptions) {
    this.kind = options.driver.kind;
    this.logger = options.logger ?? new Logger(SandboxedRuntime.name);
  }

  get mode(): RuntimeMode {
    return this.options.mode;
  }

  async inspect(service: string, caller: RuntimeCaller): Promise<RuntimeInspection> {
    const request: Request = { command: 'inspect', service, caller };
    const target = await this.authorise(request);
    return this.act(
      request,
      target,
      () => this.options.driver.inspect(target),
      (i) =>
        `inspected ${describe(target)}: ${i.status}, health ${i.health}, started_at ${i.started_at ?? 'never'}, restarts ${i.restart_count}`,
    );
  }

  async logs(service: string, tail: number, caller: RuntimeCaller): Promise<LogLines> {
    const request: Request = { command: 'logs', service, caller, tail };
    const target = await this.authorise(request);
    return this.act(
      request,
      target,
      async () => {
        const lines = await this.options.driver.logs(target, tail);
        // A driver may return more than asked (a supervisor with its own rules): keep the bound.
        return { service: target.service, lines: lines.lines.slice(-tail) };
      },
      (l) => `read ${l.lines.length} log lines of ${describe(target)}`,
    );
  }

  async restart(service: string, fencing: Fencing, caller: RuntimeCaller): Promise<RestartOutcome> {
    const request: Request = { command: 'restart', service, caller, fencing };
    const target = await this.authorise(request);
    if (this.options.mode === 'observe') {
      await this.record(
        request,
        'allowed',
        `dry run (observe mode): would restart ${describe(target)}; not executed`,
      );
      this.logger.log(`observe mode: restart of ${target.service} recorded, not executed`);
      return { service: target.service, started_at: null, dry_run: true };
    }
    return this.act(
      request,
      target,
      async () => {
        const result = await this.options.driver.restart(target);
        return { service: target.service, started_at: result.started_at, dry_run: false };
      },
      (r) => `restarted ${describe(target)}: started_at ${r.started_at ?? 'unknown'}`,
    );
  }

  execute(
    command: string,
    service: string,
    caller: RuntimeCaller,
    options: { readonly fencing?: Fencing; readonly tail?: number } = {},
  ): Promise<RuntimeInspection | LogLines | RestartOutcome> {
    switch (command) {
      case 'inspect':
        return this.inspect(service, caller);
      case 'logs':
        return this.logs(service, options.tail ?? DEFAULT_LOG_TAIL, caller);
      case 'restart':
        if (options.fencing === undefined) {
          return this.refuse(
            { command, service, caller },
            "restart needs the fencing token of the service's lease",
          );
        }
        return this.restart(service, options.fencing, caller);
      default: {
        // Anything else: the policy names the refusal (blocked, not allowed…); it is never routed.
        const verdict = this.options.policy.check(command, service);
        return this.refuse(
          { command, service, caller, ...options },
          verdict.allowed ? `command ${command} is not supported` : verdict.reason,
        );
      }
    }
  }

  /** Steps 1–4: the target the request may act on, or an audited RuntimeRefusedError. */
  private async authorise(request: Request): Promise<RuntimeTarget> {
    const { command, service, caller } = request;
    if (caller.agent !== this.options.agent) {
      return this.refuse(
        request,
        `caller ${oneWord(caller.agent)} is not ${this.options.agent}, whose sandbox this is`,
      );
    }
    const verdict = this.options.policy.check(command, service);
    if (!verdict.allowed) return this.refuse(request, verdict.reason);
    const target = verdict.target;
    if (command === 'logs') {
      const tail = request.tail;
      if (tail === undefined || !Number.isSafeInteger(tail) || tail < 1 || tail > MAX_LOG_TAIL) {
        return this.refuse(request, `tail must be an integer from 1 to ${MAX_LOG_TAIL}`);
      }
    }
    if (command === 'restart') {
      await this.checkFencing(request, target);
    }
    return target;
  }

  private async checkFencing(request: Request, target: RuntimeTarget): Promise<void> {
    const fencing = request.fencing;
    if (fencing === undefined) {
      return this.refuse(request, "restart needs the fencing token of the service's lease");
    }
    // A lease on another key protects another service: it must not license this restart.
    const expected = serviceLockKey(target.service);
    if (fencing.key !== expected) {
      return this.refuse(
        request,
        `fencing key does not cover ${target.service} (expected ${expected})`,
      );
    }
    if (!Number.isSafeInteger(fencing.revision) || fencing.revision < 1) {
      return this.refuse(request, 'fencing revision must be a positive integer');
    }
    let current: boolean;
    try {
      current = await this.options.fencing(fencing.key, fencing.revision);
    } catch (err: unknown) {
      // Fail closed: an unreadable lease is not a valid one.
      return this.refuse(
        request,
        `fencing check failed for lease ${fencing.key}: ${errorMessage(err)}`,
      );
    }
    if (!current) {
      return this.refuse(
        request,
        `stale fencing token: lease ${fencing.key} is at a newer revision than ${fencing.revision} (or no longer held)`,
      );
    }
  }

  /** Step 6: the driver acts; success and failure are both audited. */
  private async act<T>(
    request: Request,
    target: RuntimeTarget,
    run: () => Promise<T>,
    summary: (result: T) => string,
  ): Promise<T> {
    let result: T;
    try {
      result = await run();
    } catch (err: unknown) {
      const message = errorMessage(err);
      try {
        await this.record(request, 'allowed', `failed on ${describe(target)}: ${message}`);
      } catch (auditErr: unknown) {
        this.logger.error(
          `audit record for the failed ${request.command} of ${target.service} could not be written: ${errorMessage(auditErr)}`,
        );
      }
      throw err;
    }
    try {
      await this.record(request, 'allowed', summary(result));
    } catch (auditErr: unknown) {
      // The action happened; say so, but do not let an unaudited action pass silently.
      throw new Error(
        `${request.command} of ${target.service} succeeded but its audit record failed: ${errorMessage(auditErr)}`,
      );
    }
    return result;
  }

  private async refuse(request: Request, reason: string): Promise<never> {
    await this.record(request, 'refused', `refused: ${reason}`);
    this.logger.warn(`refused ${actionName(request.command)}: ${reason}`);
    throw new RuntimeRefusedError(request.command, request.service, reason);
  }

  private record(request: Request, verdict: AuditEntry['verdict'], result: string): Promise<void> {
    const { caller, fencing } = request;
    return this.options.audit.record({
      agent: this.options.agent,
      action: actionName(request.command),
      verdict,
      result,
      // Digested, never stored: the caller's reason may quote ticket or log text.
      input: {
        command: request.command,
        service: request.service,
        caller: { agent: caller.agent, reason: caller.reason, incident_id: caller.incident_id },
        fencing,
        tail: request.tail,
      },
      ...(caller.incident_id !== undefined ? { incident_id: caller.incident_id } : {}),
      ...(request.command === 'restart' && fencing !== undefined
        ? { revision: fencing.revision }
        : {}),
    });
  }
}

/** `runtime.<command>` for a plain command word; anything else is not repeated (it may be hostile). */
function actionName(command: string): string {
  return `runtime.${oneWord(command)}`;
}

function oneWord(value: string): string {
  return /^[a-z][a-z0-9_-]{0,31}$/.test(value) ? value : 'invalid-name';
}

function describe(target: RuntimeTarget): string {
  return target.runtime_name === target.service
    ? target.service
    : `${target.service} (${target.runtime_name})`;
}

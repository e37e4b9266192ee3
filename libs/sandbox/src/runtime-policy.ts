/**
 * Security layer 3 for the runtime (DESIGN.md "Security, in code"): which
 * command an agent may run on which service, decided in code from the agent's
 * `sandbox.runtime` and `services` configuration — never from a prompt.
 */

/**
 * The only commands any agent can ever be granted, whatever its config says.
 * Deliberately not config's GRANTABLE_RUNTIME_COMMANDS: the sandbox keeps its
 * own invariant, so widening the config vocabulary cannot widen the sandbox.
 */
export const POLICY_RUNTIME_COMMANDS = ['restart', 'logs', 'inspect'] as const;
export type GrantableRuntimeCommand = (typeof POLICY_RUNTIME_COMMANDS)[number];

/**
 * Commands that only read. Reading a protected service is allowed: `logs` and
 * `inspect` change nothing, and a runbook's dependency check ("is flagd up?",
 * "did valkey-cart restart?") needs exactly that before blaming a service. A
 * protected service's guarantee is that no agent ever changes its state, so
 * every other command — every mutation — is refused on it.
 */
export const READ_RUNTIME_COMMANDS: readonly GrantableRuntimeCommand[] = ['logs', 'inspect'];

/**
 * A name as the runtime sees it: ASCII letters, digits, `_`, `.`, `-`, starting
 * with a letter or digit (Docker's container-name rule; covers compose service
 * names and the config's service names). Anything else — spaces, `;`, `/`,
 * `..` at the start, control characters, Unicode look-alikes — is refused
 * before any lookup, so no name can smuggle a second word to a shell or API.
 */
export const RUNTIME_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Docker allows longer names, but config names are ≤ 63 and lock keys ≤ 64: nothing real is longer. */
export const RUNTIME_NAME_MAX_LENGTH = 64;

/** The runtime section of an agent's sandbox (`agents.<name>.sandbox.runtime`). */
export interface RuntimeSandboxInput {
  readonly allowed_commands: readonly string[];
  readonly blocked_commands?: readonly string[];
}

/** What the policy needs of one watched service (`services.watched.<name>`). */
export interface WatchedServiceInput {
  readonly aliases?: readonly string[];
  /** Container or process name in the runtime; defaults to the service name. */
  readonly container?: string;
  /** false: never restarted automatically (treated as protected for mutations). */
  readonly restartable?: boolean;
}

export interface RuntimePolicyInput {
  /** Absent: the agent has no runtime access at all; every command is refused. */
  readonly runtime?: RuntimeSandboxInput;
  readonly services: {
    readonly watched: ReadonlyMap<string, WatchedServiceInput>;
    readonly protected: readonly string[];
  };
}

/** A service the policy resolved: what a runtime driver acts on. */
export interface RuntimeTarget {
  /** Canonical name: the `services.watched` key, or the protected name. */
  readonly service: string;
  /** Container (compose service) or process name in the runtime. */
  readonly runtime_name: string;
  /** Listed in `services.protected`, or its container is: reads only. */
  readonly protected: boolean;
  /** `restartable: false` in its watched entry (or protected). */
  readonly restartable: boolean;
}

export type RuntimeRefusalCode =
  | 'no_runtime_access'
  | 'command_blocked'
  | 'command_not_allowed'
  | 'invalid_name'
  | 'unknown_service'
  | 'protected_service'
  | 'not_restartable';

export type RuntimeVerdict =
  | {
      readonly allowed: true;
      readonly command: GrantableRuntimeCommand;
      readonly target: RuntimeTarget;
    }
  | { readonly allowed: false; readonly code: RuntimeRefusalCode; readonly reason: string };

/**
 * The runtime sandbox. `check(command, service)` is the single decision point:
 *
 * - no `sandbox.runtime` ⇒ everything refused;
 * - the command must be one of `allowed_commands` AND one of restart/logs/inspect,
 *   matched exactly (no trimming, no case folding): `rm`, `exec`, `build`,
 *   `kill`, `stop` and every other string are refused;
 * - the service must be a watched service (by name, alias or container name) or
 *   a protected one, matched exactly after that canonicalisation: no substring,
 *   prefix, path or Unicode normalisation, so `cart; rm -rf /`, `../nats`,
 *   `nats ` and `ｎats` are all unknown;
 * - protected services (and `restartable: false` ones) may be read, never changed.
 *
 * Reasons never repeat a name the policy did not recognise: a refused input may
 * be hostile or hold a secret, and reasons end up in the audit log.
 */
export class RuntimePolicy {
  private readonly allowed: ReadonlySet<GrantableRuntimeCommand>;
  private readonly blocked: ReadonlySet<string>;
  private readonly hasRuntime: boolean;
  /** Every accepted name (canonical, alias, container, protected) → its target. */
  private readonly targets = new Map<string, RuntimeTarget>();

  constructor(input: RuntimePolicyInput) {
    this.hasRuntime = input.runtime !== undefined;
    const grantable = new Set<string>(POLICY_RUNTIME_COMMANDS);
    this.allowed = new Set(
      (input.runtime?.allowed_commands ?? []).filter((c): c is GrantableRuntimeCommand =>
        grantable.has(c),
      ),
    );
    this.blocked = new Set(input.runtime?.blocked_commands ?? []);
    this.buildTargets(input.services);
  }

  check(command: string, service: string): RuntimeVerdict {
    if (!this.hasRuntime) {
      return refuse('no_runtime_access', 'this agent has no runtime access (no sandbox.runtime)');
    }
    const granted = this.grantedCommand(command);
    if (!granted.ok) return granted.verdict;
    const target = this.resolve(service);
    if (!target.ok) return target.verdict;
    const t = target.target;
    if (!READ_RUNTIME_COMMANDS.includes(granted.command)) {
      if (t.protected) {
        return refuse(
          'protected_service',
          `${t.service} is a protected service (services.protected): only logs and inspect are allowed on it`,
        );
      }
      if (!t.restartable) {
        return refuse(
          'not_restartable',
          `${t.service} has restartable: false in services.watched: only logs and inspect are allowed on it`,
        );
      }
    }
    return { allowed: true, command: granted.command, target: t };
  }

  /** The target a name resolves to (exact match after aliases), or null. No command check. */
  target(service: string): RuntimeTarget | null {
    const resolved = this.resolve(service);
    return resolved.ok ? resolved.target : null;
  }

  /** The commands this agent may run (intersection of config and the grantable set). */
  allowedCommands(): readonly GrantableRuntimeCommand[] {
    return POLICY_RUNTIME_COMMANDS.filter((c) => this.allowed.has(c));
  }

  private grantedCommand(
    command: string,
  ): { ok: true; command: GrantableRuntimeCommand } | { ok: false; verdict: RuntimeVerdict } {
    // Exact, case-sensitive membership: ` restart`, `RESTART`, `restart;rm` are not `restart`.
    const match = POLICY_RUNTIME_COMMANDS.find((c) => c === command);
    if (match !== undefined && this.allowed.has(match)) return { ok: true, command: match };
    if (this.blocked.has(command)) {
      return {
        ok: false,
        verdict: refuse(
          'command_blocked',
          `command ${command} is blocked (sandbox.runtime.blocked_commands)`,
        ),
      };
    }
    const shown = match ?? (isPlainWord(command) ? command : '(not a command name)');
    return {
      ok: false,
      verdict: refuse(
        'command_not_allowed',
        `command ${shown} is not allowed (allowed: ${this.allowedCommands().join(', ') || 'none'})`,
      ),
    };
  }

  private resolve(
    service: string,
  ): { ok: true; target: RuntimeTarget } | { ok: false; verdict: RuntimeVerdict } {
    if (!isRuntimeName(service)) {
      return {
        ok: false,
        verdict: refuse(
          'invalid_name',
          'service name is not a valid runtime name (ASCII letters, digits, "_", ".", "-")',
        ),
      };
    }
    // A Map, not an object: `__proto__`, `constructor` and `toString` are just unknown names.
    const target = this.targets.get(service);
    if (target === undefined) {
      return {
        ok: false,
        verdict: refuse(
          'unknown_service',
          'service is neither watched (services.watched, aliases, container) nor protected',
        ),
      };
    }
    return { ok: true, target };
  }

  private buildTargets(services: RuntimePolicyInput['services']): void {
    const protectedNames = new Set(services.protected);
    for (const [name, watched] of services.watched) {
      const runtimeName = watched.container ?? name;
      const isProtected = protectedNames.has(name) || protectedNames.has(runtimeName);
      const target: RuntimeTarget = {
        service: name,
        runtime_name: runtimeName,
        protected: isProtected,
        restartable: !isProtected && watched.restartable !== false,
      };
      for (const alias of [name, runtimeName, ...(watched.aliases ?? [])]) {
        this.claim(alias, target);
      }
    }
    for (const name of protectedNames) {
      if (this.targets.has(name)) continue; // a watched service (or its container) already claimed it
      this.claim(name, { service: name, runtime_name: name, protected: true, restartable: false });
    }
  }

  /** Two different services answering to one name would make a restart ambiguous: a config error. */
  private claim(name: string, target: RuntimeTarget): void {
    const existing = this.targets.get(name);
    if (existing !== undefined && existing.service !== target.service) {
      throw new Error(
        `runtime policy: the name "${name}" refers to both services.watched.${existing.service} and services.watched.${target.service} (name, alias or container)`,
      );
    }
    if (!isRuntimeName(name)) {
      throw new Error(
        `runtime policy: "${name}" (services.watched.${target.service}) is not a valid runtime name`,
      );
    }
    this.targets.set(name, target);
  }
}

export function isRuntimeName(value: string): boolean {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= RUNTIME_NAME_MAX_LENGTH &&
    RUNTIME_NAME_PATTERN.test(value)
  );
}

/** A command name worth repeating in a reason: a short lowercase word, nothing a secret could hide in. */
function isPlainWord(value: string): boolean {
  return /^[a-z][a-z0-9_-]{0,31}$/.test(value);
}

function refuse(code: RuntimeRefusalCode, reason: string): RuntimeVerdict {
  return { allowed: false, code, reason };
}

import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { type RuntimePolicyInput, RuntimePolicy, type WatchedServiceInput } from './runtime-policy';
import { runtimePolicyFor } from './runtime-policy.factory';

const RUNTIME = {
  allowed_commands: ['restart', 'logs', 'inspect'],
  blocked_commands: ['rm', 'exec', 'build', 'kill', 'stop'],
};

function policy(overrides: Partial<RuntimePolicyInput> = {}): RuntimePolicy {
  const watched = new Map<string, WatchedServiceInput>([
    ['cart', { aliases: ['cartservice'] }],
    ['frontend', { aliases: ['frontendservice'], container: 'shop-frontend' }],
    ['email', { restartable: false }],
    ['cache', { container: 'valkey-cart' }],
  ]);
  return new RuntimePolicy({
    runtime: RUNTIME,
    services: { watched, protected: ['nats', 'flagd', 'valkey-cart', 'postgresql'] },
    ...overrides,
  });
}

describe('RuntimePolicy', () => {
  describe('commands', () => {
    it.each(['restart', 'logs', 'inspect'])('allows %s on a watched service', (command) => {
      const verdict = policy().check(command, 'cart');
      expect(verdict).toEqual({
        allowed: true,
        command,
        target: { service: 'cart', runtime_name: 'cart', protected: false, restartable: true },
      });
    });

    it.each(['rm', 'exec', 'build', 'kill', 'stop'])(
      'refuses %s as a blocked command',
      (command) => {
        expect(policy().check(command, 'cart')).toEqual({
          allowed: false,
          code: 'command_blocked',
          reason: `command ${command} is blocked (sandbox.runtime.blocked_commands)`,
        });
      },
    );

    it.each([
      'start',
      'pause',
      'update',
      'run',
      'RESTART',
      'Restart',
      ' restart',
      'restart ',
      'restart;rm',
      'restart && rm -rf /',
      'logs\n',
      '',
      'ｒestart',
      'constructor',
      '__proto__',
    ])('refuses the command %j', (command) => {
      const verdict = policy().check(command, 'cart');
      expect(verdict.allowed).toBe(false);
      if (!verdict.allowed) expect(verdict.code).toBe('command_not_allowed');
    });

    it('refuses a grantable command the agent was not granted', () => {
      const p = policy({ runtime: { allowed_commands: ['logs', 'inspect'] } });
      expect(p.check('restart', 'cart')).toMatchObject({
        allowed: false,
        code: 'command_not_allowed',
        reason: 'command restart is not allowed (allowed: logs, inspect)',
      });
      expect(p.check('logs', 'cart').allowed).toBe(true);
    });

    it('never grants a command outside restart/logs/inspect, even if config listed it', () => {
      const p = policy({ runtime: { allowed_commands: ['restart', 'rm', 'exec'] } });
      expect(p.allowedCommands()).toEqual(['restart']);
      expect(p.check('rm', 'cart').allowed).toBe(false);
      expect(p.check('exec', 'cart').allowed).toBe(false);
    });

    it('refuses everything when the agent has no sandbox.runtime', () => {
      const p = policy({ runtime: undefined });
      for (const command of ['restart', 'logs', 'inspect', 'rm']) {
        expect(p.check(command, 'cart')).toEqual({
          allowed: false,
          code: 'no_runtime_access',
          reason: 'this agent has no runtime access (no sandbox.runtime)',
        });
      }
    });

    it('does not repeat a hostile command in the reason', () => {
      const verdict = policy().check('restart; cat /run/secrets/token', 'cart');
      expect(verdict).toMatchObject({ allowed: false, code: 'command_not_allowed' });
      if (!verdict.allowed) expect(verdict.reason).not.toContain('secrets');
    });
  });

  describe('services', () => {
    it('canonicalises aliases and container names to the watched service', () => {
      const p = policy();
      expect(p.check('restart', 'cartservice')).toMatchObject({
        allowed: true,
        target: { service: 'cart', runtime_name: 'cart' },
      });
      expect(p.check('restart', 'frontendservice')).toMatchObject({
        allowed: true,
        target: { service: 'frontend', runtime_name: 'shop-frontend' },
      });
      expect(p.check('restart', 'shop-frontend')).toMatchObject({
        allowed: true,
        target: { service: 'frontend', runtime_name: 'shop-frontend' },
      });
    });

    it('refuses a service that is neither watched nor protected', () => {
      expect(policy().check('inspect', 'payment')).toEqual({
        allowed: false,
        code: 'unknown_service',
        reason: 'service is neither watched (services.watched, aliases, container) nor protected',
      });
    });

    it.each([
      'cart; rm -rf /',
      'cart && reboot',
      '../nats',
      './cart',
      'a/../nats',
      'nats ',
      ' nats',
      'na ts',
      'nats\n',
      'nats\u0000',
      'ｎats', // fullwidth n
      'nаts', // Cyrillic a
      'cart\u200b', // zero-width space
      'CART',
      'Nats',
      'car',
      'cartt',
      'cart*',
      '*',
      '',
      '.',
      '..',
      '-cart',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'c'.repeat(65),
    ])('refuses the hostile or unknown name %j for every command', (name) => {
      const p = policy();
      for (const command of ['restart', 'logs', 'inspect']) {
        const verdict = p.check(command, name);
        expect(verdict.allowed).toBe(false);
        if (!verdict.allowed) {
          expect(['invalid_name', 'unknown_service']).toContain(verdict.code);
          // The reason never echoes the refused name back.
          if (name.length > 2) expect(verdict.reason).not.toContain(name);
        }
      }
    });

    it('allows reads of protected infrastructure and refuses every mutation', () => {
      const p = policy();
      for (const name of ['nats', 'flagd', 'postgresql']) {
        expect(p.check('logs', name)).toMatchObject({
          allowed: true,
          target: { service: name, runtime_name: name, protected: true, restartable: false },
        });
        expect(p.check('inspect', name).allowed).toBe(true);
        expect(p.check('restart', name)).toEqual({
          allowed: false,
          code: 'protected_service',
          reason: `${name} is a protected service (services.protected): only logs and inspect are allowed on it`,
        });
        expect(p.check('rm', name).allowed).toBe(false);
        expect(p.check('stop', name).allowed).toBe(false);
      }
    });

    it('treats a watched service whose container is protected as protected', () => {
      const p = policy();
      expect(p.check('restart', 'cache')).toMatchObject({
        allowed: false,
        code: 'protected_service',
      });
      // Its container name resolves to the same (protected) watched service.
      expect(p.check('restart', 'valkey-cart')).toMatchObject({
        allowed: false,
        code: 'protected_service',
      });
      expect(p.check('inspect', 'valkey-cart')).toMatchObject({
        allowed: true,
        target: { service: 'cache', runtime_name: 'valkey-cart', protected: true },
      });
    });

    it('refuses to restart a watched service with restartable: false, allows reads', () => {
      const p = policy();
      expect(p.check('restart', 'email')).toEqual({
        allowed: false,
        code: 'not_restartable',
        reason:
          'email has restartable: false in services.watched: only logs and inspect are allowed on it',
      });
      expect(p.check('logs', 'email').allowed).toBe(true);
    });

    it('treats a watched service listed as protected as protected', () => {
      const p = policy({
        services: { watched: new Map([['flagd', {}]]), protected: ['flagd'] },
      });
      expect(p.check('restart', 'flagd')).toMatchObject({ code: 'protected_service' });
    });

    it('rejects a config where two services answer to the same name', () => {
      expect(
        () =>
          new RuntimePolicy({
            runtime: RUNTIME,
            services: {
              watched: new Map<string, WatchedServiceInput>([
                ['cart', { aliases: ['shared'] }],
                ['ad', { container: 'shared' }],
              ]),
              protected: [],
            },
          }),
      ).toThrow(/"shared" refers to both services.watched.cart and services.watched.ad/);
    });

    it('rejects a config alias that is not a valid runtime name', () => {
      expect(
        () =>
          new RuntimePolicy({
            runtime: RUNTIME,
            services: {
              watched: new Map([['cart', { aliases: ['cart service'] }]]),
              protected: [],
            },
          }),
      ).toThrow(/"cart service" \(services.watched.cart\) is not a valid runtime name/);
    });
  });

  describe('runtimePolicyFor (shipped configuration)', () => {
    const { config } = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });

    it('gives jira-resolver restart/logs/inspect on watched services, reads only on protected ones', () => {
      const p = runtimePolicyFor(config, 'jira-resolver');
      expect(p.allowedCommands()).toEqual(['restart', 'logs', 'inspect']);
      expect(p.check('restart', 'cartservice')).toMatchObject({
        allowed: true,
        target: { service: 'cart' },
      });
      expect(p.check('restart', 'nats')).toMatchObject({ code: 'protected_service' });
      expect(p.check('inspect', 'valkey-cart').allowed).toBe(true);
      expect(p.check('rm', 'cart')).toMatchObject({ code: 'command_blocked' });
    });

    it('gives an agent without sandbox.runtime nothing', () => {
      const p = runtimePolicyFor(config, 'ops-monitor');
      expect(p.check('inspect', 'cart')).toMatchObject({ code: 'no_runtime_access' });
    });

    it('names the agent it does not know', () => {
      expect(() => runtimePolicyFor(config, 'nobody')).toThrow(/no agent "nobody"/);
    });
  });
});

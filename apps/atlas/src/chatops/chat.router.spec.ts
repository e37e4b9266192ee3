import { type AuditEntry, type AuditSink } from '@opscrew/ports';
import { type ChatCaller, type ChatCommandHandler } from './chat-command';
import { ChatCommandError } from './chat-command.error';
import { ChatRouter } from './chat.router';

const caller: ChatCaller = { via: 'discord', id: '123456789012345678', name: 'alice' };

function auditLog(): AuditSink & { entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return {
    entries,
    record: (entry) => {
      entries.push(entry);
      return Promise.resolve();
    },
  };
}

function handler(
  name: ChatCommandHandler['name'],
  execute: ChatCommandHandler['execute'],
): ChatCommandHandler {
  return { name, execute };
}

describe('ChatRouter', () => {
  it('runs the named handler with checked options and the caller, and audits it', async () => {
    const audit = auditLog();
    const seen: unknown[] = [];
    const router = new ChatRouter(
      [
        handler('status', (options, who) => {
          seen.push(options, who);
          return Promise.resolve({ text: 'all good' });
        }),
      ],
      audit,
    );
    const routed = await router.run({ name: 'status', options: { service: ' cart ' } }, caller);
    expect(routed).toEqual({ outcome: 'answered', reply: { text: 'all good' } });
    expect(seen).toEqual([{ service: 'cart' }, caller]);
    expect(audit.entries).toEqual([
      expect.objectContaining({
        agent: 'atlas',
        action: 'chat.status',
        verdict: 'allowed',
        result: expect.stringContaining('discord user 123456789012345678 (alice): /status'),
      }),
    ]);
    expect(audit.entries[0]?.result).toContain('answered');
  });

  it('answers an unknown command with the known ones, refused in the audit', async () => {
    const audit = auditLog();
    const routed = await new ChatRouter([], audit).run({ name: 'reboot', options: {} }, caller);
    expect(routed.outcome).toBe('unknown');
    expect(routed.reply.text).toBe(
      'Unknown command /reboot (known: /status, /incident, /ack, /restart, /silence).',
    );
    expect(audit.entries[0]).toMatchObject({ action: 'chat.reboot', verdict: 'refused' });
  });

  it('says clearly when a defined command has no handler installed', async () => {
    const routed = await new ChatRouter([], auditLog()).run(
      { name: 'restart', options: { service: 'cart' } },
      caller,
    );
    expect(routed).toEqual({
      outcome: 'unavailable',
      reply: {
        text: '/restart is not available on this crew (its handler is not installed in atlas).',
        ephemeral: true,
      },
    });
  });

  it('refuses bad options before the handler runs, naming the option', async () => {
    const execute = jest.fn();
    const routed = await new ChatRouter([handler('ack', execute)], auditLog()).run(
      { name: 'ack', options: { id: 'INC-1; rm -rf' } },
      caller,
    );
    expect(routed.outcome).toBe('refused');
    expect(routed.reply.text).toMatch(/^\/ack: option id: "INC-1; rm -rf" is not an incident id/);
    expect(execute).not.toHaveBeenCalled();
  });

  it('turns a handler refusal into its message and a crash into a named failure', async () => {
    const router = new ChatRouter(
      [
        handler('incident', () =>
          Promise.reject(new ChatCommandError('No incident INC-20250131-001.')),
        ),
        handler('status', () => Promise.reject(new Error('bucket gone'))),
      ],
      auditLog(),
    );
    expect(
      await router.run({ name: 'incident', options: { id: 'INC-20250131-001' } }, caller),
    ).toMatchObject({ outcome: 'refused', reply: { text: 'No incident INC-20250131-001.' } });
    expect(await router.run({ name: 'status', options: {} }, caller)).toMatchObject({
      outcome: 'failed',
      reply: { text: '/status failed: bucket gone' },
    });
  });

  it('still answers when the audit sink fails (the command already ran)', async () => {
    const router = new ChatRouter([handler('status', () => Promise.resolve({ text: 'ok' }))], {
      record: () => Promise.reject(new Error('disk full')),
    });
    expect((await router.run({ name: 'status', options: {} }, caller)).outcome).toBe('answered');
  });
});

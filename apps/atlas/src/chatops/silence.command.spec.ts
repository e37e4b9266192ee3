import { loadConfig, type LoadedConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { SilenceRecord } from '@opscrew/contracts';
import { SilenceStore, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { ManualClock, RecordingAudit } from '@opscrew/testing';
import { type ChatCaller } from './chat-command';
import { SilenceCommand } from './silence.command';
import { ChatCommandError } from './chat-command.error';

const ALICE: ChatCaller = { via: 'discord', id: '284735193749618688', name: 'alice' };
const START = '2026-12-07T10:00:00.000Z';

describe('SilenceCommand', () => {
  let loaded: LoadedConfig;
  let clock: ManualClock;
  let store: SilenceStore;
  let audit: RecordingAudit;
  let command: SilenceCommand;

  beforeAll(() => {
    loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
  });

  beforeEach(() => {
    clock = new ManualClock(START);
    store = new SilenceStore(
      new TypedKv(new FakeKv('silences').asKv(), 'silences', { class: SilenceRecord }),
    );
    audit = new RecordingAudit();
    command = new SilenceCommand(loaded, store, audit, clock.date);
  });

  it('opens a window on a service (alias resolved), audited with the caller', async () => {
    const reply = await command.execute(
      { service: 'cartservice', duration: '2h', reason: 'db migration' },
      ALICE,
    );
    expect(reply.text).toBe(
      'silenced cart until 2026-12-07T12:00:00.000Z (2 h) by alice for "db migration": no tickets and no automatic restarts for cart until then; anomalies are still recorded. End it early with /silence cart off.',
    );
    expect(reply.ephemeral).toBeUndefined();
    expect(await store.isSilenced('cart', clock.date())).toEqual(
      expect.objectContaining({ until: '2026-12-07T12:00:00.000Z', by: ALICE }),
    );
    expect(audit.entries).toEqual([
      expect.objectContaining({
        agent: 'atlas',
        action: 'chatops.silence',
        verdict: 'allowed',
        result: expect.stringMatching(/\[by alice \(discord 284735193749618688\)\]$/) as string,
      }),
    ]);
  });

  it('ends a window early with off (or 0), and says when there was none', async () => {
    await command.execute({ service: 'cart', duration: '30m' }, ALICE);
    clock.advance(60_000);
    const ended = await command.execute({ service: 'cart', duration: 'off' }, ALICE);
    expect(ended.text).toMatch(/^ended the silence on cart .*evaluates cart again$/);
    expect(await store.isSilenced('cart', clock.date())).toBeNull();
    expect(await command.execute({ service: 'cart', duration: '0' }, ALICE)).toEqual({
      text: 'cart was not silenced; nothing to end',
      ephemeral: true,
    });
  });

  it('refuses a malformed or out-of-range duration, saying what is accepted', async () => {
    for (const duration of ['90', '1.5h', '8d', '1h30m', 'forever']) {
      const refused = command.execute({ service: 'cart', duration }, ALICE);
      await expect(refused).rejects.toBeInstanceOf(ChatCommandError);
      await expect(refused).rejects.toThrow(
        /^\/silence cart: duration ".*" is (not a duration|out of range)/,
      );
    }
    expect(await store.active(clock.date())).toEqual([]);
  });

  it('refuses an unknown service, listing the watched ones', async () => {
    const refused = command.execute({ service: 'nope', duration: '1h' }, ALICE);
    await expect(refused).rejects.toBeInstanceOf(ChatCommandError);
    await expect(refused).rejects.toThrow(/^\/silence: unknown service "nope" \(watched: /);
  });

  it('needs service and duration', async () => {
    await expect(command.execute({ service: 'cart' }, ALICE)).rejects.toEqual(
      new ChatCommandError('/silence: the option duration is required'),
    );
  });

  it('cleans up ended windows as it goes', async () => {
    await command.execute({ service: 'cart', duration: '1m' }, ALICE);
    clock.advance(2 * 60_000);
    await command.execute({ service: 'ad', duration: '1h' }, ALICE);
    expect((await store.active(clock.date())).map((s) => s.service)).toEqual(['ad']);
    expect(await store.cleanup(clock.date())).toEqual([]);
  });
});

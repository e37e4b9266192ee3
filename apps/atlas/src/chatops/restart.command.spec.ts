import { loadConfig, type LoadedConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { buildEvent, type CommandRestartEvent } from '@opscrew/contracts';
import { RecordingPublisher } from '@opscrew/testing';
import { type ChatCaller } from './chat-command';
import { CommandResults } from './command-results.service';
import { ChatCommandError } from './chat-command.error';
import { RestartCommand } from './restart.command';

const ALICE: ChatCaller = { via: 'discord', id: '284735193749618688', name: 'alice' };

describe('RestartCommand', () => {
  let loaded: LoadedConfig;
  let publisher: RecordingPublisher;
  let results: CommandResults;

  beforeAll(() => {
    loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
  });

  beforeEach(() => {
    publisher = new RecordingPublisher('atlas');
    results = new CommandResults();
  });

  afterEach(() => results.onModuleDestroy());

  /** Answers every command.restart as jira-resolver would, right after it is published. */
  function answering(ok: boolean, text: string): void {
    const publish = publisher.publish.bind(publisher);
    publisher.publish = async (subject, payload, options) => {
      const out = await publish(subject, payload, options);
      if (subject === 'command.restart') {
        const asked = out.event as unknown as CommandRestartEvent;
        setImmediate(() =>
          results.deliver(
            buildEvent(
              'command.result',
              { request_id: asked.request_id, command: 'restart', ok, text },
              'jira-resolver',
            ),
          ),
        );
      }
      return out;
    };
  }

  const sent = (): CommandRestartEvent[] =>
    publisher.events
      .filter((e) => e.subject === 'command.restart')
      .map((e) => e.event as unknown as CommandRestartEvent);

  it('asks jira-resolver with the caller and replies with its answer', async () => {
    answering(true, 'restarted cart for alice');
    const reply = await new RestartCommand(loaded, publisher, results).execute(
      { service: 'cartservice', reason: 'stuck' },
      ALICE,
    );
    expect(reply).toEqual({ text: '/restart cart: restarted cart for alice' });
    // The alias was resolved; the caller travels as requested_by.
    expect(sent()).toEqual([
      expect.objectContaining({ service: 'cart', requested_by: ALICE, reason: 'stuck' }),
    ]);
    expect(sent()[0]?.id).toBe(`command.restart.${sent()[0]?.request_id}`);
    expect(results.pending()).toBe(0);
  });

  it('forwards a protected service so jira-resolver refuses it, audited', async () => {
    answering(false, 'not restarting flagd: flagd is a protected service');
    // jira-resolver's refusal is a refusal of the command (the router audits it as refused).
    await expect(
      new RestartCommand(loaded, publisher, results).execute({ service: 'flagd' }, ALICE),
    ).rejects.toEqual(
      new ChatCommandError('/restart flagd: not restarting flagd: flagd is a protected service'),
    );
  });

  it('refuses an unknown service at once, listing the watched ones, and sends nothing', async () => {
    const refused = new RestartCommand(loaded, publisher, results).execute(
      { service: 'cart; rm -rf /' },
      ALICE,
    );
    await expect(refused).rejects.toBeInstanceOf(ChatCommandError);
    await expect(refused).rejects.toThrow(
      /^\/restart: unknown service "cart; rm -rf \/" \(watched: .*cart/,
    );
    expect(sent()).toEqual([]);
  });

  it('needs a service option, as text', async () => {
    const command = new RestartCommand(loaded, publisher, results);
    await expect(command.execute({}, ALICE)).rejects.toEqual(
      new ChatCommandError('/restart: the option service is required'),
    );
    await expect(command.execute({ service: 3 }, ALICE)).rejects.toEqual(
      new ChatCommandError('/restart: the option service must be text, got a number'),
    );
  });

  it('says "still running" when no answer comes in time, and forgets the wait', async () => {
    const reply = await new RestartCommand(loaded, publisher, results, 20).execute(
      { service: 'cart' },
      ALICE,
    );
    expect(reply.text).toMatch(
      /^\/restart cart: asked \(request [0-9a-f-]+\); still running after 0 s — see the audit trail/,
    );
    expect(results.pending()).toBe(0);
  });

  it('says nothing was restarted when the bus refuses the publish', async () => {
    publisher.failNext = 1;
    // A failure, not a refusal: the router answers "/restart failed: …".
    await expect(
      new RestartCommand(loaded, publisher, results).execute({ service: 'cart' }, ALICE),
    ).rejects.toThrow('could not reach the crew (NATS unavailable); nothing was restarted');
    expect(results.pending()).toBe(0);
  });
});

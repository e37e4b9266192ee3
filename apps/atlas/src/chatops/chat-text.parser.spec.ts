import fc from 'fast-check';
import { CHAT_COMMAND_DEFINITIONS, chatCommandDefinition } from './chat-command.definitions';
import { checkChatOptions } from './chat-options.check';
import { parseChatText } from './chat-text.parser';

const parse = (text: string): ReturnType<typeof parseChatText> => parseChatText(text);

describe('parseChatText', () => {
  it('reads positional options in their declared order', () => {
    expect(parse('/status')).toEqual({ ok: true, command: { name: 'status', options: {} } });
    expect(parse('/status cart')).toEqual({
      ok: true,
      command: { name: 'status', options: { service: 'cart' } },
    });
    expect(parse('  /ack   INC-20250131-001-7k2q ')).toEqual({
      ok: true,
      command: { name: 'ack', options: { id: 'INC-20250131-001-7k2q' } },
    });
  });

  it('gives the rest of the line to the reason, and keeps quoted words together', () => {
    expect(parse('/silence cart 2h deploy in progress')).toEqual({
      ok: true,
      command: {
        name: 'silence',
        options: { service: 'cart', duration: '2h', reason: 'deploy in progress' },
      },
    });
    expect(parse('/silence cart 30m "db: migration"')).toMatchObject({
      command: { options: { reason: 'db: migration' } },
    });
  });

  it('takes name:value options in any order, as Discord users type them', () => {
    expect(parse('/silence duration:2h service:cart')).toEqual({
      ok: true,
      command: { name: 'silence', options: { service: 'cart', duration: '2h' } },
    });
  });

  it('names the problem: unknown command, extra argument, repeated option, open quote', () => {
    expect(parse('/reboot cart')).toMatchObject({
      ok: false,
      problem: /unknown command "\/reboot"/,
    });
    expect(parse('/status cart checkout')).toMatchObject({
      ok: false,
      problem: /\/status: unexpected argument "checkout" \(usage: \/status \[service\]\)/,
    });
    expect(parse('/ack id:INC-1 id:INC-2')).toMatchObject({ problem: /option id given twice/ });
    expect(parse('/silence cart 2h "oops')).toMatchObject({ problem: /unclosed " quote/ });
    expect(parse('')).toMatchObject({ problem: /empty/ });
  });

  it('round-trips any valid options: rendered as text, parsed and checked back unchanged', () => {
    const service = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
    const duration = fc.stringMatching(/^[1-9][0-9]{0,2}[mhd]$/);
    const word = fc.stringMatching(/^[a-z]{1,8}$/);
    fc.assert(
      fc.property(service, duration, fc.array(word, { maxLength: 6 }), (svc, dur, words) => {
        const reason = words.join(' ');
        const parsed = parse(`/silence ${svc} ${dur} ${reason}`);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const definition = chatCommandDefinition('silence');
        if (definition === undefined) throw new Error('no silence definition');
        expect(checkChatOptions(definition, parsed.command.options)).toEqual({
          ok: true,
          options: { service: svc, duration: dur, ...(reason === '' ? {} : { reason }) },
        });
      }),
    );
  });
});

describe('checkChatOptions', () => {
  const definition = (name: string) => {
    const found = chatCommandDefinition(name);
    if (found === undefined) throw new Error(`no ${name}`);
    return found;
  };

  it('names the command, the option and what it must be', () => {
    expect(checkChatOptions(definition('ack'), {})).toEqual({
      ok: false,
      problem: expect.stringMatching(/^\/ack: option id is required \(an incident id/),
    });
    expect(checkChatOptions(definition('ack'), { id: 'nope' })).toMatchObject({
      problem: expect.stringMatching(/^\/ack: option id: "nope" is not an incident id/),
    });
    expect(
      checkChatOptions(definition('silence'), { service: 'cart', duration: '2 weeks' }),
    ).toMatchObject({
      problem: expect.stringMatching(/option duration: "2 weeks" is not a duration like 30m/),
    });
    expect(checkChatOptions(definition('status'), { colour: 'red' })).toMatchObject({
      problem: '/status: unknown option "colour" (it takes service)',
    });
    expect(checkChatOptions(definition('status'), { service: 42 })).toMatchObject({
      problem: expect.stringMatching(/option service must be text/),
    });
  });

  it('defines all five commands, required options before optional ones (as Discord requires)', () => {
    expect(CHAT_COMMAND_DEFINITIONS.map((d) => d.name)).toEqual([
      'status',
      'incident',
      'ack',
      'restart',
      'silence',
    ]);
    for (const d of CHAT_COMMAND_DEFINITIONS) {
      const firstOptional = d.options.findIndex((o) => !o.required);
      if (firstOptional >= 0)
        expect(d.options.slice(firstOptional).every((o) => !o.required)).toBe(true);
    }
  });
});

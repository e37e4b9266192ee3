import { parseProposal, parseTriage } from './model-json.parser';

const ALLOWED = [
  { action: 'restart_service', description: 'Restart', params: { service: 'name' } },
];

describe('parseProposal', () => {
  it('accepts exactly one valid object, and null as "nothing to do"', () => {
    expect(
      parseProposal(' {"action":"restart_service","params":{"service":"cart"}}\n', ALLOWED),
    ).toEqual({
      ok: true,
      proposal: { action: 'restart_service', params: { service: 'cart' } },
    });
    expect(parseProposal('{"action":null}', ALLOWED)).toEqual({ ok: true, proposal: null });
  });

  it.each([
    ['prose around it', 'Here: {"action":"restart_service"}', 'not a single JSON object'],
    ['a code fence', '```json\n{"action":"restart_service"}\n```', 'not a single JSON object'],
    ['broken JSON', '{"action": restart}', 'not a single JSON object'],
    [
      'an unknown action',
      '{"action":"runtime_exec"}',
      'action "runtime_exec" is not among the allowed actions',
    ],
    [
      'an extra key',
      '{"action":"restart_service","reason":"x"}',
      'schema: Unrecognized key: "reason"',
    ],
    [
      'an unknown parameter',
      '{"action":"restart_service","params":{"cmd":"rm"}}',
      'unknown parameter(s) for restart_service: cmd',
    ],
    [
      'a non-string parameter',
      '{"action":"restart_service","params":{"service":1}}',
      'schema: params.service: Invalid input: expected string, received number',
    ],
  ])('rejects %s', (_name, text, reason) => {
    expect(parseProposal(text, ALLOWED)).toEqual({ ok: false, reason });
  });
});

describe('parseTriage', () => {
  it('parses the strict shape and rejects anything else', () => {
    expect(parseTriage('{"probable_cause":"x","what_to_check":["a"]}')).toEqual({
      probable_cause: 'x',
      what_to_check: ['a'],
    });
    expect(parseTriage('{"probable_cause":"x","what_to_check":[]}')).toBeNull();
    expect(parseTriage('cause: x')).toBeNull();
  });
});

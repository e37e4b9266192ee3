import { SUPERVISOR_TOKEN_VARIABLE, SUPERVISOR_URL_VARIABLE } from '@opscrew/config';
import { AGENT_NAMES } from '@opscrew/contracts';
import { childEnv } from './start.command';

const CONTROL = { url: 'http://127.0.0.1:41234', token: 'per-run-token' };

describe('start all: the children environments', () => {
  it("hands the control endpoint to atlas only, and strips an inherited one from everyone else's", () => {
    const inherited = {
      PATH: '/usr/bin',
      [SUPERVISOR_URL_VARIABLE]: 'http://127.0.0.1:1',
      [SUPERVISOR_TOKEN_VARIABLE]: 'stale',
    };
    for (const agent of AGENT_NAMES) {
      const env = childEnv({ agent, command: 'node', args: [] }, inherited, CONTROL);
      expect(env.PATH).toBe('/usr/bin');
      if (agent === 'atlas') {
        expect(env[SUPERVISOR_URL_VARIABLE]).toBe(CONTROL.url);
        expect(env[SUPERVISOR_TOKEN_VARIABLE]).toBe(CONTROL.token);
      } else {
        expect(env).not.toHaveProperty(SUPERVISOR_URL_VARIABLE);
        expect(env).not.toHaveProperty(SUPERVISOR_TOKEN_VARIABLE);
      }
    }
  });

  it('no endpoint (it could not start): atlas gets none either', () => {
    const env = childEnv({ agent: 'atlas', command: 'node', args: [] }, { PATH: '/bin' }, null);
    expect(env).toEqual({ PATH: '/bin' });
  });
});

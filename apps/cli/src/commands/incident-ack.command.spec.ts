import { ConfigFixture } from '@opscrew/config/testing';
import { freePort } from '@opscrew/integrations';
import { EXIT_FAILURE, EXIT_INVALID } from '../cli-io';
import { RecordingIo } from '../testing/recording-io';
import { main } from '../main';
import { incidentAck } from './incident-ack.command';

const INC = 'INC-20250131-001';

describe('opscrew incident ack (arguments)', () => {
  it('refuses a malformed incident id with exit 2 and says what it expects', async () => {
    for (const id of ['INC-2025-001', 'inc-20250131-001', 'INC-20250131-01', `${INC}; rm -rf /`]) {
      const io = new RecordingIo();
      expect(await incidentAck(id, { by: 'alice' }, io)).toBe(EXIT_INVALID);
      expect(io.stderr).toEqual([
        `opscrew incident ack: "${id}" is not an incident id (expected INC-YYYYMMDD-NNN-EEEE, e.g. INC-20250131-001-7k2q)`,
      ]);
      expect(io.stdout).toEqual([]);
    }
  });

  it('is registered: `opscrew incident ack <id>` reaches the command', async () => {
    const io = new RecordingIo();
    expect(await main(['node', 'opscrew', 'incident', 'ack', 'nope', '--by', 'alice'], io)).toBe(
      EXIT_INVALID,
    );
    expect(io.stderr[0]).toContain('"nope" is not an incident id');
  });

  it('--by must be a short token; the default is the OS user name, checked the same way', async () => {
    const io = new RecordingIo();
    expect(await incidentAck(INC, { by: '@everyone please' }, io)).toBe(EXIT_INVALID);
    expect(io.stderr[0]).toMatch(/--by: "@everyone please" must be a short name/);

    const odd = new RecordingIo();
    expect(await incidentAck(INC, {}, odd, { userName: () => 'Jane Doe' })).toBe(EXIT_INVALID);
    expect(odd.stderr[0]).toContain(
      'your user name "Jane Doe" is not a short name; pass --by NAME',
    );

    const nobody = new RecordingIo();
    const userName = (): string => {
      throw new Error('no passwd entry for uid 1234');
    };
    expect(await incidentAck(INC, {}, nobody, { userName })).toBe(EXIT_INVALID);
    expect(nobody.stderr[0]).toContain(
      'cannot tell who you are (no passwd entry for uid 1234); pass --by NAME',
    );
  });

  it('fails fast naming the NATS URL it could not reach (exit 1)', async () => {
    const fixture = ConfigFixture.shipped();
    try {
      const url = `nats://127.0.0.1:${await freePort()}`;
      fixture.patch('opscrew.json5', "servers: ['${NATS_URL}'],", `servers: ['${url}'],`);
      const io = new RecordingIo();
      expect(await incidentAck(INC, { by: 'alice', config: fixture.dir }, io)).toBe(EXIT_FAILURE);
      expect(io.stdout).toEqual([]);
      expect(io.stderr.join('\n')).toContain(`cannot reach NATS at ${url}`);
    } finally {
      fixture.remove();
    }
  });
});

import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import { ConfigFixture } from '@opscrew/config/testing';
import { buildEvent, IncidentRecord, KV_BUCKETS, SUBJECTS } from '@opscrew/contracts';
import { freePort } from '@opscrew/integrations';
import { DiscordContractServer } from '@opscrew/integrations/testing';
import { IncidentLedger, KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { startAtlas } from '../../../atlas/src';
import { EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { RecordingIo } from '../testing/recording-io';
import { chat } from './chat.command';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(90_000));

const INCIDENT = 'INC-20250131-001-7k2q';

/**
 * `opscrew chat` against a running atlas (runAgent, real NATS), and the same atlas's
 * POST /discord/interactions verified over the raw body runAgent keeps.
 */
describe('opscrew chat and /discord/interactions on a running atlas', () => {
  const namespace = testNamespace();
  const fixture = ConfigFixture.shipped();
  const discord = new DiscordContractServer();
  const token = 'chat-cli-test-token-0123456789';
  let bus: NatsConnectionService;
  let app: INestApplication;
  let base: string;
  let privateKey: KeyObject;
  const saved = {
    PORT: process.env['PORT'],
    NATS_URL: process.env['NATS_URL'],
    OPSCREW_API_TOKEN: process.env['OPSCREW_API_TOKEN'],
  };

  beforeAll(async () => {
    await discord.start();
    ({ bus } = await openTestBus(NATS_URL, namespace, 'chat-cli-test'));
    const ledger = new IncidentLedger(
      await new KvFactory(bus).open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    await ledger.open(
      buildEvent(
        SUBJECTS.incidentDetected,
        {
          incident_id: INCIDENT,
          fingerprint: 'checkout:high_error_rate',
          service: 'checkout',
          symptom: 'high_error_rate',
          severity: 'high',
          value: 0.12,
          detected_at: new Date().toISOString(),
        },
        'ops-monitor',
      ),
    );
    const pair = generateKeyPairSync('ed25519');
    privateKey = pair.privateKey;
    const der = pair.publicKey.export({ format: 'der', type: 'spki' });
    fixture.patch(
      'opscrew.json5',
      "stream: 'OPS',",
      `stream: 'OPS',\n    namespace: '${namespace}',`,
    );
    fixture.patch(
      'opscrew.json5',
      "host: '${OPSCREW_HTTP_HOST}',",
      "host: '${OPSCREW_HTTP_HOST}',\n    api_token: '${OPSCREW_API_TOKEN}',",
    );
    fixture.patch(
      'project/integrations/integrations.json5',
      "  tracker: { kind: 'local' },",
      `  tracker: { kind: 'local' },
  discord_interactions: {
    application_id: '${discord.applicationId}',
    public_key: '${der.subarray(der.length - 32).toString('hex')}',
    api_base_url: '${discord.apiBaseUrl}',
  },`,
    );
    const port = await freePort();
    process.env['PORT'] = String(port);
    process.env['NATS_URL'] = NATS_URL;
    process.env['OPSCREW_API_TOKEN'] = token;
    app = await startAtlas({ configDir: fixture.dir });
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app?.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await removeTestTopology(bus);
    await bus.close();
    await discord.stop();
    fixture.remove();
  });

  const run = async (text: string): Promise<{ code: number; io: RecordingIo }> => {
    const io = new RecordingIo();
    const code = await chat(text, { config: fixture.dir, url: base, by: 'alice' }, io);
    return { code, io };
  };

  it('/status lists the agents and the open incident; /status <service> its incidents', async () => {
    const all = await run('/status');
    expect(all.io.stderr).toEqual([]);
    expect(all.code).toBe(EXIT_OK);
    const text = all.io.stdout.join('\n');
    expect(text).toMatch(/^Agents:\n- atlas: /);
    expect(text).toContain(`- ${INCIDENT} checkout high_error_rate: detected, high`);
    const one = await run('/status checkout');
    expect(one.io.stdout.join('\n')).toMatch(/^checkout: 1 incident\(s\), 1 open/);
    expect((await run('/status cart')).io.stdout).toEqual(['No incidents for cart.']);
  });

  it('/incident shows phase, severity, ticket and steps; an unknown one exits 1', async () => {
    const shown = await run(`/incident ${INCIDENT}`);
    expect(shown.code).toBe(EXIT_OK);
    expect(shown.io.stdout.join('\n')).toMatch(
      new RegExp(
        `^${INCIDENT}: checkout high_error_rate\nphase detected, severity high\nticket: none\n`,
      ),
    );
    const unknown = await run('/incident INC-20250131-099-zzzz');
    expect(unknown.code).toBe(EXIT_FAILURE);
    expect(unknown.io.stderr).toEqual(['No incident INC-20250131-099-zzzz.']);
  });

  it('/ack acknowledges as the CLI user, like opscrew incident ack', async () => {
    const acked = await run(`/ack ${INCIDENT}`);
    expect(acked.io.stdout).toEqual([
      `Acknowledged ${INCIDENT}: escalation stopped at L1 (by alice).`,
    ]);
    expect(acked.code).toBe(EXIT_OK);
    const again = await run(`/ack id:${INCIDENT}`);
    expect(again.io.stdout[0]).toMatch(
      new RegExp(`^${INCIDENT} is not escalating \\(acked by alice`),
    );
  });

  it('exits 1 for a command atlas refuses and 2 for text atlas cannot parse', async () => {
    // Refused in atlas before anything is asked of jira-resolver (none runs here).
    const restart = await run('/restart nosuch');
    expect(restart.code).toBe(EXIT_FAILURE);
    expect(restart.io.stderr[0]).toMatch(/\/restart: unknown service "nosuch" \(watched: /);
    const bad = await run('/status cart checkout');
    expect(bad.code).toBe(EXIT_INVALID);
    expect(bad.io.stderr[0]).toMatch(
      /atlas answered 400: \/status: unexpected argument "checkout"/,
    );
  });

  it('verifies Discord interactions over the raw body runAgent keeps', async () => {
    const body = JSON.stringify({
      type: 2,
      id: '1300000000000000001',
      application_id: discord.applicationId,
      token: discord.openInteraction(),
      user: { id: '1100000000000000001', username: 'dora' },
      data: { name: 'status', options: [{ name: 'service', type: 3, value: 'checkout' }] },
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const post = (payload: string) =>
      fetch(`${base}/discord/interactions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-signature-timestamp': ts,
          'x-signature-ed25519': sign(null, Buffer.from(ts + body), privateKey).toString('hex'),
        },
        body: payload,
      });
    const answered = await post(body);
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({
      type: 4,
      data: {
        content: expect.stringMatching(/^checkout: 1 incident\(s\)/),
        allowed_mentions: { parse: [] },
      },
    });
    // The same JSON, re-spaced: equal as an object, not as signed bytes.
    expect((await post(JSON.stringify(JSON.parse(body), null, 1))).status).toBe(401);
  });
});

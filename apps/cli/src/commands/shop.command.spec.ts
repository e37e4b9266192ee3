import { realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { ConfigFixture } from '@opscrew/config/testing';
import { freePorts } from '@opscrew/integrations';
import { SHOP_SERVICE_NAMES } from '../../../demo-shop/src';
import { EXIT_FAILURE, EXIT_INVALID } from '../cli-io';
import { RecordingIo } from '../testing/recording-io';
import { shop } from './shop.command';

describe('opscrew shop', () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
  });
  afterEach(() => fixture.remove());

  it('exits 2 without starting anything when the config cannot describe the shop', async () => {
    fixture.patch(
      'project/integrations/integrations.json5',
      "control_url: 'http://127.0.0.1:7190'",
      "control_url: 'http://10.0.0.5:7190'",
    );
    fixture.patch(
      'project/integrations/integrations.json5',
      "ad: 'http://127.0.0.1:7101/metrics',",
      "ad: 'https://127.0.0.1:7101/metrics',",
    );
    const io = new RecordingIo();
    const stopped = jest.fn(() => Promise.resolve('SIGINT'));
    expect(await shop({ config: fixture.dir }, io, stopped)).toBe(EXIT_INVALID);
    expect(io.stderr).toEqual([
      'opscrew shop: integrations.metrics.scrape.targets.ad: the demo shop serves http://HOST:PORT/metrics, got "https://127.0.0.1:7101/metrics"',
      'opscrew shop: integrations.runtime.process.control_url: must be http://<loopback>:<port>, got "http://10.0.0.5:7190"',
    ]);
    expect(io.stdout).toEqual([]);
    expect(stopped).not.toHaveBeenCalled();
  });

  describe('with a port already taken', () => {
    let held: Server;
    afterEach(async () => {
      await new Promise<void>((resolve) => held.close(() => resolve()));
    });

    it('exits 1 before starting anything, naming the port, the service and the config key', async () => {
      // Every port of this config is free but cart's, which we hold: the test does not
      // depend on what else runs on this machine (the shipped 7100…).
      const ports = await freePorts(SHOP_SERVICE_NAMES.length + 1);
      const targets = Object.fromEntries(
        SHOP_SERVICE_NAMES.map((name, i) => [name, `http://127.0.0.1:${ports[i]}/metrics`]),
      );
      fixture.patch(
        'project/integrations/integrations.json5',
        /targets: \{[^}]*\}/,
        `targets: ${JSON.stringify(targets)}`,
      );
      fixture.patch(
        'project/integrations/integrations.json5',
        "control_url: 'http://127.0.0.1:7190'",
        `control_url: 'http://127.0.0.1:${ports[SHOP_SERVICE_NAMES.length]}'`,
      );
      const cartPort = ports[SHOP_SERVICE_NAMES.indexOf('cart')];
      held = createServer();
      await new Promise<void>((resolve) => held.listen(cartPort, '127.0.0.1', resolve));

      const io = new RecordingIo();
      const stopped = jest.fn(() => Promise.resolve('SIGINT'));
      expect(await shop({ config: fixture.dir }, io, stopped)).toBe(EXIT_FAILURE);
      expect(io.stderr).toEqual([
        `opscrew shop: port ${cartPort} (shop cart) on 127.0.0.1 is already in use — set integrations.metrics.scrape.targets.cart (in ${realpathSync(fixture.dir)})`,
      ]);
      expect(io.stdout).toEqual([]);
      expect(stopped).not.toHaveBeenCalled();
    });
  });
});

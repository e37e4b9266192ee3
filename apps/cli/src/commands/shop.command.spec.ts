import { ConfigFixture } from '@opscrew/config/testing';
import { EXIT_INVALID } from '../cli-io';
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
});

import { loadConfig } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { join } from 'node:path';
import { ShopConfigError, shopOptionsFromConfig } from './shop-options.factory';

describe('shopOptionsFromConfig', () => {
  let fixture: ConfigFixture;
  const load = () =>
    loadConfig({
      configDir: fixture.dir,
      env: { OPSCREW_SHOP_TOKEN: 'token-0123456789abcdef' },
      dotenvPath: join(fixture.projectDir, 'no.env'),
    });

  beforeEach(() => {
    fixture = ConfigFixture.shipped();
  });

  afterEach(() => fixture.remove());

  it('runs each service where the crew scrapes it, the supervisor where it restarts', () => {
    const options = shopOptionsFromConfig(load());
    expect(options.endpoints).toEqual({
      frontend: 'http://127.0.0.1:7100',
      ad: 'http://127.0.0.1:7101',
      cart: 'http://127.0.0.1:7102',
      checkout: 'http://127.0.0.1:7103',
      currency: 'http://127.0.0.1:7104',
      payment: 'http://127.0.0.1:7105',
      'product-catalog': 'http://127.0.0.1:7106',
      recommendation: 'http://127.0.0.1:7107',
      shipping: 'http://127.0.0.1:7108',
    });
    expect(options.control).toEqual({
      host: '127.0.0.1',
      port: 7190,
      token: 'token-0123456789abcdef',
    });
    expect(options.flagFile).toBe(join(fixture.projectDir, 'var/flagd/demo.flagd.json'));
    expect(options.cwd).toBe(fixture.projectDir);
  });

  it('names every target it cannot use', () => {
    fixture.patch(
      'project/integrations/integrations.json5',
      "cart: 'http://127.0.0.1:7102/metrics',",
      "cart: 'http://127.0.0.1:7102/prometheus',",
    );
    fixture.patch(
      'project/integrations/integrations.json5',
      "shipping: 'http://127.0.0.1:7108/metrics',",
      '',
    );
    let error: unknown;
    try {
      shopOptionsFromConfig(load());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShopConfigError);
    expect((error as ShopConfigError).problems).toEqual([
      'integrations.metrics.scrape.targets.cart: the demo shop serves http://HOST:PORT/metrics, got "http://127.0.0.1:7102/prometheus"',
      'integrations.metrics.scrape.targets.shipping: missing (the demo shop runs shipping where it is scraped)',
    ]);
  });
});

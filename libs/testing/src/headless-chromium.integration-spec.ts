import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { launchHeadlessChromium } from './headless-chromium';

describe('launchHeadlessChromium', () => {
  it('opens a loopback page and reads what a person sees', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>t</title><h1 id="h">hello crew</h1>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const chromium = await launchHeadlessChromium();
    try {
      const page = await chromium.browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      expect(await page.textContent('#h')).toBe('hello crew');
    } finally {
      await chromium.close();
      server.close();
    }
  });
});

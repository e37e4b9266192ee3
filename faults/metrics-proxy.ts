import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** How long the proxy waits for the real /metrics: the crew's own scrape timeout is 2 s. */
const UPSTREAM_TIMEOUT_MS = 5_000;

/**
 * The crew's metrics source with a switch: one loopback listener per shop service that relays
 * GET /metrics to the service itself, or — while `down` — drops every connection at once (what
 * a dead exporter or a wrong port looks like to a scraper). The shop keeps serving its users:
 * only the crew's view of it goes dark, so any incident opened meanwhile is a false alarm.
 */
export class MetricsProxy {
  private readonly servers: Server[] = [];
  private readonly urls = new Map<string, string>();
  private readonly upstreams = new Map<string, string>();
  private down = false;

  /**
   * Starts one listener per service, before the shop's ports are picked: listening first, the
   * proxy's ports can never be among the ones handed to the shop (setUpstreams, after).
   */
  static async start(services: readonly string[]): Promise<MetricsProxy> {
    const proxy = new MetricsProxy();
    try {
      for (const service of services) proxy.urls.set(service, await proxy.listen(service));
      return proxy;
    } catch (error) {
      await proxy.stop();
      throw error;
    }
  }

  /** Where each service's real /metrics is (service → URL). */
  setUpstreams(upstreams: Readonly<Record<string, string>>): void {
    for (const [service, url] of Object.entries(upstreams)) this.upstreams.set(service, url);
  }

  /** The scrape targets to configure: service → the proxy's URL for it. */
  get targets(): Record<string, string> {
    return Object.fromEntries(this.urls);
  }

  setDown(down: boolean): void {
    this.down = down;
  }

  async stop(): Promise<void> {
    for (const server of this.servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private async listen(service: string): Promise<string> {
    const server = createServer((req, res) => {
      const upstream = this.upstreams.get(service);
      if (this.down || upstream === undefined) {
        req.socket.destroy();
        return;
      }
      fetch(new URL(req.url ?? '/metrics', upstream), {
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      })
        .then(async (answer) => {
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'text/plain',
          });
          res.end(await answer.text());
        })
        .catch(() => req.socket.destroy());
    });
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  }
}

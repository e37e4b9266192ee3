import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../net/free-port.allocator';

export const PROMETHEUS_MISSING = 'install prometheus (apt-get install prometheus)';

/** Prometheus opens its TSDB and web UI in a second or two here; a minute is plenty on a slow CI box. */
const READY_TIMEOUT_MS = 60_000;
/** Grace for a SIGTERM'd Prometheus to flush its head block before SIGKILL. */
const STOP_GRACE_MS = 5_000;
const POLL_MS = 100;

export interface ScrapeJob {
  /** The `job` label Prometheus attaches: the service name. */
  readonly job: string;
  /** `host:port` of an exporter serving `/metrics`. */
  readonly target: string;
}

/**
 * A real Prometheus (Debian's `prometheus` package) started by a test: its own
 * config and TSDB in a temp folder, on a free loopback port, scraping the
 * given jobs every `scrapeIntervalS`. Stopped by PID; its folder removed.
 */
export class PrometheusProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly dir: string,
  ) {
    const keep = (chunk: Buffer) => {
      // The last few KiB are enough to explain a failed start.
      this.output = (this.output + chunk.toString('utf8')).slice(-8192);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(jobs: readonly ScrapeJob[], scrapeIntervalS = 1): Promise<PrometheusProcess> {
    const binary = findPrometheusBinary();
    if (binary === undefined) throw new Error(PROMETHEUS_MISSING);
    const dir = mkdtempSync(join(tmpdir(), 'opscrew-prometheus-'));
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, prometheusConfig(jobs, scrapeIntervalS));
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const prometheus = new PrometheusProcess(child, `http://127.0.0.1:${port}`, dir);
    try {
      await prometheus.waitReady();
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
    return prometheus;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Stops the process we started (by its PID) and removes its folder. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Number of successful scrapes of `job` so far (Prometheus' own `up` history). */
  async scrapesOf(job: string): Promise<number> {
    const query = `count_over_time(up{job="${job}"}[5m])`;
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await response.json()) as { data?: { result?: { value?: [number, string] }[] } };
    return Number(body.data?.result?.[0]?.value?.[1] ?? 0);
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`prometheus exited with code ${this.child.exitCode}: ${this.output}`);
      }
      try {
        const response = await fetch(`${this.url}/-/ready`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(
      `prometheus not ready at ${this.url} within ${READY_TIMEOUT_MS} ms: ${this.output}`,
    );
  }
}

/** `prometheus` when the PATH has it (Debian installs /usr/bin/prometheus), else undefined. */
export function findPrometheusBinary(): string | undefined {
  const probe = spawnSync('prometheus', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0 ? 'prometheus' : undefined;
}

function prometheusConfig(jobs: readonly ScrapeJob[], intervalS: number): string {
  return [
    'global:',
    `  scrape_interval: ${intervalS}s`,
    `  evaluation_interval: ${intervalS}s`,
    'scrape_configs:',
    ...jobs.flatMap((j) => [
      `  - job_name: ${JSON.stringify(j.job)}`,
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: [${JSON.stringify(j.target)}]`,
    ]),
    '',
  ].join('\n');
}

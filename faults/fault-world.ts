import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type IncidentRecord } from '@opscrew/contracts';
import { LocalNatsCluster } from '@opscrew/testing';
import { SHOP_SERVICE_NAMES } from '../apps/demo-shop/src';
import { DemoEnvironment } from '../apps/cli/src/demo/demo-environment';
import { LOCAL_NATS_DIR } from '../apps/cli/src/local-nats/local-credentials';
import { poll } from '../apps/cli/src/demo/demo-observer';
import { freeDemoPorts } from '../apps/cli/src/demo/demo-port.plan';
import { type InjectedFault, isFinalPhase, type LedgerIncident } from './fault-accounting';
import { MetricsProxy } from './metrics-proxy';
import { SaasContracts } from './saas-contracts';

export interface FaultWorldOptions {
  readonly repoRoot: string;
  /** This experiment's folder: config, logs, the bus's store. */
  readonly runDir: string;
  readonly say: (line: string) => void;
  readonly signal: AbortSignal;
  /** Jira and Discord contract servers instead of the local tracker and the console notifier. */
  readonly saas?: boolean;
  /** The crew scrapes the shop through a MetricsProxy that can go dark. */
  readonly metricsProxy?: boolean;
  /** demo-controller's lock lease (s). */
  readonly lockLeaseS?: number;
  /** Processes per agent (default WORLD_REPLICAS). */
  readonly replicas?: number;
  /** NATS nodes (default WORLD_NATS_NODES); 1: the demo's single nats-server. */
  readonly natsNodes?: number;
}

/** The world: two replicas per agent … */
export const WORLD_REPLICAS = 2;
/** … on a three-node NATS cluster, streams and buckets at three copies. */
export const WORLD_NATS_NODES = 3;

/** The services a fault is injected into: every shop service but the load's entry. */
export const TARGET_SERVICES = [
  'ad',
  'cart',
  'checkout',
  'currency',
  'payment',
  'product-catalog',
  'recommendation',
  'shipping',
] as const;

/** A report that the ledger does not show within this is lost (ops-monitor folds in ms). */
const INCIDENT_BOUND_MS = 60_000;
/** Every agent answers /health again within this after a restart (node + Nest boot, loaded host). */
const HEALTHY_BOUND_MS = 90_000;

/**
 * One experiment's world on loopback: the demo's environment (a three-node NATS cluster of its
 * own with per-agent users, streams and buckets at three copies; two processes per agent; the shop under its supervisor, the four agents, light background load),
 * optionally the SaaS contract servers and a switchable metrics path. Everything it starts is
 * stopped again by PID in dispose(), also when a start fails half-way.
 */
export class FaultWorld {
  private constructor(
    readonly environment: DemoEnvironment,
    readonly saas: SaasContracts | null,
    readonly proxy: MetricsProxy | null,
    /** The NATS cluster (natsNodes > 1); null: the demo's single server. */
    readonly cluster: LocalNatsCluster | null,
    private readonly options: FaultWorldOptions,
  ) {}

  static async start(options: FaultWorldOptions): Promise<FaultWorld> {
    mkdirSync(options.runDir, { recursive: true });
    let saas: SaasContracts | null = null;
    let proxy: MetricsProxy | null = null;
    try {
      // Everything of ours listens before the demo's ports are picked: none of them can be
      // handed out twice.
      if (options.saas) saas = await SaasContracts.start(options.repoRoot);
      if (options.metricsProxy) proxy = await MetricsProxy.start(SHOP_SERVICE_NAMES);
      const ports = await freeDemoPorts();
      proxy?.setUpstreams(
        Object.fromEntries(
          Object.entries(ports.shop).map(([name, port]) => [
            name,
            `http://127.0.0.1:${port}/metrics`,
          ]),
        ),
      );
      const nodes = options.natsNodes ?? WORLD_NATS_NODES;
      let cluster: LocalNatsCluster | null = null;
      const overlay: Record<string, unknown> = {
        ...(saas?.overlay ?? {}),
        // Every stream and bucket at one copy per node: a node's loss loses nothing.
        ...(nodes > 1 ? { bus: { replicas: nodes } } : {}),
      };
      const environment = await DemoEnvironment.start({
        repoRoot: options.repoRoot,
        bin: join(options.repoRoot, 'bin/opscrew.js'),
        runDir: options.runDir,
        say: options.say,
        builtinLoad: true,
        ports,
        // Where `opscrew incident inject --config <run>/config` finds the cli user's password.
        localNats: { credentialsDir: join(options.runDir, LOCAL_NATS_DIR) },
        overlay,
        // Only ops-monitor scrapes through the proxy: the shop listens where the shared config
        // says, and demo-controller reaches the shop's services there.
        ...(proxy
          ? {
              agentOverlays: {
                'ops-monitor': {
                  integrations: { metrics: { scrape: { targets: proxy.targets } } },
                },
              },
            }
          : {}),
        ...(saas ? { extraEnv: saas.env } : {}),
        ...(options.lockLeaseS !== undefined ? { lockLeaseS: options.lockLeaseS } : {}),
        replicas: options.replicas ?? WORLD_REPLICAS,
        ...(nodes > 1
          ? {
              natsCluster: async ({ passwords, mapper }) => {
                cluster = await LocalNatsCluster.start({
                  nodes,
                  auth: 'crew',
                  passwords,
                  mapper,
                  clusterName: 'opscrew-faults',
                  parentDir: options.runDir,
                  // The agents and the shop bind their planned ports after the cluster is up:
                  // a node on one of them (seen once: a node on jira-resolver's port) breaks both.
                  avoidPorts: [
                    ...Object.values(ports.agents),
                    ...Object.values(ports.shop),
                    ports.supervisor,
                    ports.locust,
                  ],
                });
                return cluster;
              },
            }
          : {}),
        signal: options.signal,
      });
      return new FaultWorld(environment, saas, proxy, cluster, options);
    } catch (error) {
      await saas?.stop();
      await proxy?.stop();
      throw error;
    }
  }

  /** `opscrew incident inject` with a dedup key of the suite's, as a user would report. */
  async inject(
    dedupKey: string,
    service: string,
    symptom = 'high_error_rate',
  ): Promise<InjectedFault> {
    const injectedAt = Date.now();
    const result = await this.environment.cli([
      'incident',
      'inject',
      '--service',
      service,
      '--symptom',
      symptom,
      '--dedup-key',
      dedupKey,
    ]);
    if (result.code !== 0)
      throw new Error(
        `incident inject ${dedupKey} failed (${result.code}): ${result.stderr.trim()}`,
      );
    return { dedup_key: dedupKey, service, symptom, injected_at: injectedAt };
  }

  /** The ledger as atlas serves it, reduced for the accounting. */
  async ledger(): Promise<LedgerIncident[]> {
    return (await this.environment.observer.incidents()).map(toLedger);
  }

  /** The incident a report joined, once the ledger shows it; null after the bound. */
  async incidentFor(dedupKey: string, boundMs = INCIDENT_BOUND_MS): Promise<IncidentRecord | null> {
    return (
      (await poll(
        async () =>
          (await this.environment.observer.incidents()).find((incident) =>
            (incident.dedup_keys ?? []).includes(dedupKey),
          ),
        boundMs,
        500,
        this.options.signal,
      )) ?? null
    );
  }

  /** Waits until every one of the keys' incidents is final, or the bound passes. */
  async allFinal(dedupKeys: readonly string[], boundMs: number): Promise<boolean> {
    return (
      (await poll(
        async () => {
          const incidents = await this.environment.observer.incidents();
          const done = dedupKeys.every((key) =>
            incidents.some(
              (incident) =>
                (incident.dedup_keys ?? []).includes(key) && isFinalPhase(incident.phase),
            ),
          );
          return done ? true : undefined;
        },
        boundMs,
        1000,
        this.options.signal,
      )) === true
    );
  }

  /** Every agent process (each replica) answers /health 200; the time it took (ms), or null after the bound. */
  async crewHealthy(boundMs = HEALTHY_BOUND_MS): Promise<number | null> {
    const started = Date.now();
    const ok = await poll(
      async () => {
        for (const replica of this.environment.replicaList) {
          const response = await fetch(`${this.environment.replicaUrl(replica)}/health`, {
            signal: AbortSignal.timeout(2000),
          });
          if (!response.ok) return undefined;
        }
        return true;
      },
      boundMs,
      250,
      this.options.signal,
    );
    return ok === true ? Date.now() - started : null;
  }

  async dispose(): Promise<void> {
    await this.environment.dispose().catch(() => undefined);
    await this.saas?.stop();
    await this.proxy?.stop();
  }
}

function toLedger(record: IncidentRecord): LedgerIncident {
  return {
    incident_id: record.incident_id,
    service: record.service,
    phase: record.phase,
    dedup_keys: record.dedup_keys ?? [],
    detected_at: Date.parse(record.detected_at),
    reopened_at: record.history
      .filter((step) => step.phase === 'reopened')
      .map((step) => Date.parse(step.at)),
  };
}

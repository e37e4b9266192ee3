import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSON5 from 'json5';
import { parse } from 'yaml';
import { AGENT_NAMES, type AgentName } from '@opscrew/contracts';
import { type LoadedConfig, loadConfig } from '@opscrew/config';
import { BUS_USERS, natsPasswordVariable, NATS_USERS_SECRET } from '@opscrew/messaging';
import {
  K8S_DIR,
  type K8sObject,
  kustomize,
  NATS_POD_LABELS,
  type NetworkPolicySpec,
  parseYamlObjects,
  podTemplate,
  type PodTemplate,
  type Probe,
  ROOT,
  schemaProblems,
  secretsOf,
  selects,
} from './support/k8s-manifests';

const OVERLAYS = ['demo', 'production'] as const;
type Overlay = (typeof OVERLAYS)[number];
const NAMESPACES: Record<Overlay, string> = { demo: 'opscrew-demo', production: 'opscrew' };
/** What kustomize v2.0.3 (Debian's kubectl 1.20) reads; v5 reads them all too. */
const PORTABLE_KUSTOMIZATION_KEYS = new Set([
  'namespace',
  'resources',
  'bases',
  'patchesStrategicMerge',
  'configMapGenerator',
  'secretGenerator',
  'commonLabels',
  'images',
]);

interface Rendered {
  readonly objects: K8sObject[];
  /** The image's /app/compose, assembled: shipped/ plus the ConfigMap's files. */
  readonly configRoot: string;
  /** The Secrets deploy/k8s/secrets.sh prints for this overlay: name → variables. */
  readonly secrets: Map<string, Record<string, string>>;
}

function ofKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((object) => object.kind === kind);
}

function named(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** `deploy/k8s/secrets.sh` with an empty environment: every value generated. */
function scriptSecrets(overlay: Overlay): Map<string, Record<string, string>> {
  const result = spawnSync(
    'bash',
    [join(K8S_DIR, 'secrets.sh'), ...(overlay === 'demo' ? ['--demo'] : [])],
    { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } },
  );
  if (result.status !== 0) throw new Error(`secrets.sh failed: ${result.stderr}`);
  return new Map(
    parseYamlObjects(result.stdout).map((secret) => [
      secret.metadata.name,
      secret.stringData ?? {},
    ]),
  );
}

function configMapOf(objects: readonly K8sObject[]): K8sObject {
  const maps = ofKind(objects, 'ConfigMap').filter((map) =>
    map.metadata.name.startsWith('opscrew-config-'),
  );
  expect(maps).toHaveLength(1);
  return maps[0] as K8sObject;
}

function assembleConfigRoot(configMap: K8sObject): string {
  const dir = mkdtempSync(join(tmpdir(), 'opscrew-k8s-config-'));
  cpSync(join(ROOT, 'config'), join(dir, 'shipped'), { recursive: true });
  for (const [key, text] of Object.entries(configMap.data ?? {})) {
    writeFileSync(join(dir, key), text);
  }
  return dir;
}

function envOf(template: PodTemplate, secrets: Map<string, Record<string, string>>) {
  const env: Record<string, string> = {};
  for (const name of secretsOf(template)) Object.assign(env, secrets.get(name));
  for (const container of template.spec.containers) {
    for (const variable of container.env ?? []) {
      if (variable.value !== undefined) env[variable.name] = variable.value;
      if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.name') {
        env[variable.name] = 'opscrew-pod-0';
      }
    }
  }
  return env;
}

/** A pod's config, loaded as `opscrew config check` does, with exactly the environment the pod gets. */
function loadPodConfig(rendered: Rendered, template: PodTemplate): LoadedConfig {
  const entry = template.spec.containers[0]?.env?.find((v) => v.name === 'OPSCREW_CONFIG')?.value;
  if (!entry?.startsWith('/app/compose/')) throw new Error(`OPSCREW_CONFIG is ${entry}`);
  return loadConfig({
    configDir: join(rendered.configRoot, entry.slice('/app/compose/'.length)),
    env: envOf(template, rendered.secrets),
    dotenvPath: join(rendered.configRoot, 'no.env'),
  });
}

function siteConfig(objects: readonly K8sObject[]): {
  bus?: { replicas?: number; servers?: string[] };
} {
  const text = configMapOf(objects).data?.['k8s-site.json5'];
  if (text === undefined) throw new Error('no k8s-site.json5 in the ConfigMap');
  return JSON5.parse(text);
}

function agentDeployment(objects: readonly K8sObject[], agent: AgentName): K8sObject {
  return named(objects, 'Deployment', `opscrew-${agent}`);
}

/** Pods a rendered overlay runs (Deployments and Jobs) with the chart's NATS servers. */
function podLabels(objects: readonly K8sObject[]): Record<string, string>[] {
  return [
    ...objects
      .filter((object) => object.kind === 'Deployment' || object.kind === 'Job')
      .map((object) => podTemplate(object).metadata.labels),
    NATS_POD_LABELS,
  ];
}

/** The container port a probe reaches (by name or number). */
function probePort(template: PodTemplate, containerIndex: number, probe: Probe | undefined) {
  const container = template.spec.containers[containerIndex];
  const port = probe?.httpGet?.port;
  const declared = container?.ports?.find((p) => p.name === port || p.containerPort === port);
  return declared?.containerPort;
}

/** Whether the policies selecting a pod let it open TCP `port` to a pod with `peer` labels. */
function egressAllowed(
  policies: readonly NetworkPolicySpec[],
  pod: Record<string, string>,
  peer: Record<string, string>,
  port: number,
  protocol = 'TCP',
): boolean {
  return policies
    .filter((policy) => selects(policy.podSelector, pod))
    .some((policy) =>
      (policy.egress ?? []).some(
        (rule) =>
          (rule.to ?? []).some(
            (to) =>
              to.podSelector !== undefined &&
              selects(to.podSelector, peer) &&
              (to.namespaceSelector === undefined || peer === KUBE_DNS_LABELS),
          ) &&
          (rule.ports ?? []).some((p) => p.port === port && (p.protocol ?? 'TCP') === protocol),
      ),
    );
}
const KUBE_DNS_LABELS: Record<string, string> = { 'k8s-app': 'kube-dns' };

describe('Kubernetes manifests (deploy/k8s)', () => {
  const rendered = new Map<Overlay, Rendered>();
  beforeAll(() => {
    for (const overlay of OVERLAYS) {
      const objects = kustomize(join(K8S_DIR, 'overlays', overlay));
      rendered.set(overlay, {
        objects,
        configRoot: assembleConfigRoot(configMapOf(objects)),
        secrets: scriptSecrets(overlay),
      });
    }
  });
  afterAll(() => {
    for (const { configRoot } of rendered.values()) {
      rmSync(configRoot, { recursive: true, force: true });
    }
  });
  const get = (overlay: Overlay): Rendered => {
    const found = rendered.get(overlay);
    if (!found) throw new Error(`${overlay} not rendered`);
    return found;
  };

  it('says how to install kubectl when it is missing', () => {
    expect(() => kustomize(join(K8S_DIR, 'base'), 'kubectl-not-installed-here')).toThrow(
      /apt-get install kubernetes-client/,
    );
  });

  it('keeps every kustomization to what kustomize v2.0.3 (kubectl 1.20) and v5 both read', () => {
    const files = ['base', ...OVERLAYS.map((overlay) => `overlays/${overlay}`)].map((dir) =>
      join(K8S_DIR, dir, 'kustomization.yaml'),
    );
    for (const file of files) {
      const keys = Object.keys(parse(readFileSync(file, 'utf8')) as object);
      expect({
        file,
        unportable: keys.filter((key) => !PORTABLE_KUSTOMIZATION_KEYS.has(key)),
      }).toEqual({ file, unportable: [] });
    }
  });

  it('validates every rendered object against the Kubernetes schemas (kubernetes-models)', () => {
    const objects = [
      ...kustomize(join(K8S_DIR, 'base')),
      ...OVERLAYS.flatMap((overlay) => get(overlay).objects),
    ];
    expect(objects.length).toBeGreaterThan(40);
    expect(schemaProblems(objects)).toEqual([]);
    // The validator does see a broken object (it is not a check that passes everything).
    const broken = { ...named(objects, 'Service', 'opscrew-atlas') };
    broken.spec = { ports: [{ port: 'http' }] };
    expect(schemaProblems([broken])).toEqual([
      expect.objectContaining({ kind: 'Service', error: expect.stringMatching(/port/) }),
    ]);
  });

  describe.each(OVERLAYS)('the %s overlay', (overlay) => {
    it('puts every namespaced object in its namespace', () => {
      const { objects } = get(overlay);
      const clusterScoped = new Set(['Namespace', 'PriorityClass']);
      for (const object of objects.filter((o) => !clusterScoped.has(o.kind))) {
        expect(`${object.kind}/${object.metadata.name} in ${object.metadata.namespace}`).toBe(
          `${object.kind}/${object.metadata.name} in ${NAMESPACES[overlay]}`,
        );
      }
      expect(named(objects, 'Namespace', NAMESPACES[overlay]).metadata.name).toBeDefined();
    });

    it.each(AGENT_NAMES)(
      'runs %s from its own config entry with health probes on its HTTP port',
      (agent) => {
        const r = get(overlay);
        const template = podTemplate(agentDeployment(r.objects, agent));
        const [container] = template.spec.containers;
        expect(container?.args).toEqual(['start', agent]);
        const loaded = loadPodConfig(r, template);
        const port = loaded.config.agents.get(agent)?.port;
        expect(port).toBeGreaterThan(0);
        // Readiness follows the bus (/health: 503 while NATS is away, out of rotation); startup
        // and liveness only ask whether the process answers (/health/live): an outage of NATS
        // must not make the kubelet restart every agent.
        const paths = {
          startupProbe: '/health/live',
          readinessProbe: '/health',
          livenessProbe: '/health/live',
        } as const;
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
          expect({ probe, path: container?.[probe]?.httpGet?.path }).toEqual({
            probe,
            path: paths[probe],
          });
          expect({ probe, port: probePort(template, 0, container?.[probe]) }).toEqual({
            probe,
            port,
          });
        }
        // Long enough for the topology wait (the provision Job may still be running).
        const startup = container?.startupProbe;
        expect((startup?.periodSeconds ?? 10) * (startup?.failureThreshold ?? 3)).toBeGreaterThan(
          loaded.config.bus.topology_wait_s,
        );
        // Its own NATS user, the pod's name as its replica id.
        expect(loaded.config.agents.get(agent)?.bus_auth?.user).toBe(agent);
        expect(container?.env).toContainEqual({
          name: 'OPSCREW_REPLICA_ID',
          valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
        });
        expect(loaded.config.http.host).toBe('0.0.0.0');
        const service = named(r.objects, 'Service', `opscrew-${agent}`);
        expect(service.spec?.['ports']).toEqual([expect.objectContaining({ port })]);
      },
    );

    it('lets atlas only report a stale agent: the liveness probe restarts it', () => {
      const r = get(overlay);
      const loaded = loadPodConfig(r, podTemplate(agentDeployment(r.objects, 'atlas')));
      const liveness = loaded.config.agents.get('atlas')?.liveness;
      expect(liveness?.on_stale).toBe('notify');
      expect(liveness?.runtime.kind).toBe('none');
    });

    it('provisions the bus with a Job as the admin user, the only pod with its password', () => {
      const r = get(overlay);
      const job = named(r.objects, 'Job', 'opscrew-provision');
      const template = podTemplate(job);
      expect(template.spec.containers[0]?.args).toEqual(['bus', 'provision']);
      expect(loadPodConfig(r, template).config.bus.user).toBe('admin');
      expect(secretsOf(template)).toEqual(['opscrew-provision']);
      const adminHolders = [...r.secrets]
        .filter(([, data]) => 'NATS_PASSWORD_ADMIN' in data)
        .map(([name]) => name);
      expect(adminHolders.sort()).toEqual([NATS_USERS_SECRET, 'opscrew-provision'].sort());
    });

    it('secures, sizes and budgets every Deployment', () => {
      const { objects } = get(overlay);
      const pdbs = ofKind(objects, 'PodDisruptionBudget');
      const deployments = ofKind(objects, 'Deployment');
      expect(deployments.length).toBeGreaterThanOrEqual(AGENT_NAMES.length);
      for (const deployment of deployments) {
        const name = deployment.metadata.name;
        const template = podTemplate(deployment);
        const pod = template.spec;
        expect({ name, token: pod.automountServiceAccountToken }).toEqual({ name, token: false });
        const account = named(objects, 'ServiceAccount', pod.serviceAccountName ?? '');
        expect(account.automountServiceAccountToken).toBe(false);
        expect(pod.securityContext?.runAsNonRoot).toBe(true);
        expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
        pod.containers.forEach((container, index) => {
          const what = `${name}/${container.name}`;
          for (const probe of [container.readinessProbe, container.livenessProbe]) {
            expect({ what, path: probe?.httpGet?.path }).toEqual({
              what,
              path:
                probe === container.livenessProbe && isCrewContainer(name)
                  ? '/health/live'
                  : '/health',
            });
            expect({ what, port: probePort(template, index, probe) }).toEqual({
              what,
              port: container.ports?.[0]?.containerPort,
            });
          }
          for (const kind of ['requests', 'limits'] as const) {
            expect({ what, kind, memory: container.resources?.[kind]?.['memory'] }).toEqual({
              what,
              kind,
              memory: expect.stringMatching(/^\d+[MG]i$/),
            });
            expect(container.resources?.[kind]?.['cpu']).toBeDefined();
          }
          expect({ what, sc: container.securityContext }).toEqual({
            what,
            sc: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
          });
        });
        const budgets = pdbs.filter((pdb) =>
          selects(pdb.spec?.['selector'] as never, template.metadata.labels),
        );
        expect({ name, budgets: budgets.map((b) => b.spec?.['minAvailable']) }).toEqual({
          name,
          budgets: [1],
        });
        // The Deployment's own selector picks its pods (and the PDB's is no wider than it).
        expect(selects(deployment.spec?.['selector'] as never, template.metadata.labels)).toBe(
          true,
        );
      }
    });

    it('gives the agents a writable var/ and nothing else writable', () => {
      const { objects } = get(overlay);
      for (const agent of AGENT_NAMES) {
        const pod = podTemplate(agentDeployment(objects, agent)).spec;
        const mounts = pod.containers[0]?.volumeMounts ?? [];
        const writable = mounts.filter((mount) => mount.readOnly !== true);
        for (const mount of writable) {
          const volume = pod.volumes?.find((v) => v.name === mount.name);
          expect({
            agent,
            mount: mount.mountPath,
            ok: !!(volume?.emptyDir ?? volume?.persistentVolumeClaim),
          }).toEqual({ agent, mount: mount.mountPath, ok: true });
        }
        expect(writable.map((mount) => mount.mountPath)).toContain('/app/var');
      }
    });

    it('gives each pod only its own Secret, holding what its config references', () => {
      const r = get(overlay);
      for (const agent of AGENT_NAMES) {
        const template = podTemplate(agentDeployment(r.objects, agent));
        expect({ agent, secrets: secretsOf(template) }).toEqual({
          agent,
          secrets: [`opscrew-${agent}`],
        });
        const data = r.secrets.get(`opscrew-${agent}`) ?? {};
        // Its own NATS password only, and nothing its config does not read.
        const ownPassword = natsPasswordVariable(agent);
        expect(Object.keys(data).filter((key) => key.startsWith('NATS_PASSWORD_'))).toEqual([
          ownPassword,
        ]);
        const loaded = loadPodConfig(r, template);
        for (const key of Object.keys(data)) {
          expect({ agent, key, referenced: loaded.variables.includes(key) }).toEqual({
            agent,
            key,
            referenced: true,
          });
        }
      }
      // The NATS servers get every user's password, in the Secret values.yaml reads.
      expect(Object.keys(r.secrets.get(NATS_USERS_SECRET) ?? {}).sort()).toEqual(
        BUS_USERS.map((user) => natsPasswordVariable(user)).sort(),
      );
    });

    it('mounts config files the ConfigMap holds, beside the shipped config the image keeps', () => {
      // The entries include './shipped/opscrew.json5': the image's copy of config/ (Dockerfile),
      // and relative paths (var/…) resolve against /app, the config root's parent.
      const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
      expect(dockerfile).toMatch(/^COPY config compose\/shipped$/m);
      expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
      const { objects } = get(overlay);
      const configMap = configMapOf(objects);
      const keys = Object.keys(configMap.data ?? {});
      for (const object of [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')]) {
        const pod = podTemplate(object).spec;
        for (const container of pod.containers) {
          for (const mount of container.volumeMounts ?? []) {
            const volume = pod.volumes?.find((v) => v.name === mount.name);
            if (!volume?.configMap) continue;
            expect(volume.configMap.name).toBe(configMap.metadata.name);
            expect(keys).toContain(mount.subPath);
          }
        }
      }
    });

    it('denies all traffic by default and lets every crew pod reach NATS and DNS', () => {
      const { objects } = get(overlay);
      const policies = ofKind(objects, 'NetworkPolicy').map(
        (policy) => policy.spec as unknown as NetworkPolicySpec,
      );
      expect(policies).toContainEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const crew = [
        ...AGENT_NAMES.map((agent) => agentDeployment(objects, agent)),
        named(objects, 'Job', 'opscrew-provision'),
      ].map((object) => podTemplate(object).metadata.labels);
      for (const pod of crew) {
        expect({ pod, nats: egressAllowed(policies, pod, NATS_POD_LABELS, 4222) }).toEqual({
          pod,
          nats: true,
        });
        expect(egressAllowed(policies, pod, KUBE_DNS_LABELS, 53, 'UDP')).toBe(true);
        // …and NATS takes them in.
        const natsIngress = policies
          .filter((policy) => selects(policy.podSelector, NATS_POD_LABELS))
          .some((policy) =>
            (policy.ingress ?? []).some(
              (rule) =>
                (rule.from ?? []).some((from) => selects(from.podSelector ?? {}, pod)) &&
                (rule.ports ?? []).some((p) => p.port === 4222),
            ),
          );
        expect(natsIngress).toBe(true);
      }
      // The shop's fault API and NATS are not reachable from just any pod in the namespace.
      const stranger = { 'app.kubernetes.io/name': 'stranger' };
      expect(egressAllowed(policies, stranger, NATS_POD_LABELS, 4222)).toBe(false);
    });

    it('selects existing pods with every NetworkPolicy, one of its own per agent', () => {
      const { objects } = get(overlay);
      const pods = podLabels(objects);
      for (const policy of ofKind(objects, 'NetworkPolicy')) {
        const spec = policy.spec as unknown as NetworkPolicySpec;
        const name = policy.metadata.name;
        expect({ name, selects: pods.some((labels) => selects(spec.podSelector, labels)) }).toEqual(
          { name, selects: true },
        );
        // A peer in this namespace (no namespaceSelector) must be a pod that runs here.
        const peers = [...(spec.ingress ?? []), ...(spec.egress ?? [])].flatMap((rule) => [
          ...(rule.from ?? []),
          ...(rule.to ?? []),
        ]);
        for (const peer of peers.filter((p) => p.podSelector && !p.namespaceSelector)) {
          expect({
            name,
            peer,
            exists: pods.some((l) => selects(peer.podSelector ?? {}, l)),
          }).toEqual({ name, peer, exists: true });
        }
      }
      for (const agent of AGENT_NAMES) {
        const own = named(objects, 'NetworkPolicy', `opscrew-${agent}`);
        const labels = podTemplate(agentDeployment(objects, agent)).metadata.labels;
        expect(selects((own.spec as unknown as NetworkPolicySpec).podSelector, labels)).toBe(true);
        expect(
          selects((own.spec as unknown as NetworkPolicySpec).podSelector, {
            ...labels,
            'app.kubernetes.io/name': 'other',
          }),
        ).toBe(false);
      }
    });

    it('lets in only what reaches atlas from the ingress controller, and Discord/Jira out on 443', () => {
      const { objects } = get(overlay);
      const spec = (agent: AgentName) =>
        named(objects, 'NetworkPolicy', `opscrew-${agent}`).spec as unknown as NetworkPolicySpec;
      expect(spec('atlas').ingress).toEqual([
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: 3000 }],
        },
      ]);
      for (const agent of ['ops-monitor', 'jira-resolver'] as const) {
        const https = (spec(agent).egress ?? []).find((rule) =>
          (rule.ports ?? []).some((p) => p.port === 443),
        );
        expect(https?.to?.[0]?.ipBlock?.except).toEqual(
          expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16']),
        );
      }
      expect(spec('demo-controller').egress ?? []).toEqual([]);
    });
  });

  describe('the production overlay', () => {
    it('runs two replicas of each agent spread over nodes, 3 copies of the bus', () => {
      const { objects } = get('production');
      for (const agent of AGENT_NAMES) {
        const deployment = agentDeployment(objects, agent);
        expect({ agent, replicas: deployment.spec?.['replicas'] }).toEqual({ agent, replicas: 2 });
        const terms =
          podTemplate(deployment).spec.affinity?.podAntiAffinity
            ?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
        expect(terms.map((t) => t.podAffinityTerm.topologyKey)).toEqual(['kubernetes.io/hostname']);
        expect(
          selects(
            terms[0]?.podAffinityTerm.labelSelector ?? {},
            podTemplate(deployment).metadata.labels,
          ),
        ).toBe(true);
      }
      const site = siteConfig(objects);
      expect(site.bus?.replicas).toBe(3);
      expect(site.bus?.servers).toEqual(
        [0, 1, 2].map((n) => `nats://nats-${n}.nats-headless:4222`),
      );
    });

    it('dials the chart’s Service and each NATS server', () => {
      const r = get('production');
      const loaded = loadPodConfig(r, podTemplate(agentDeployment(r.objects, 'ops-monitor')));
      expect(loaded.config.bus.servers).toEqual([
        'nats://nats:4222',
        ...[0, 1, 2].map((n) => `nats://nats-${n}.nats-headless:4222`),
      ]);
      expect(loaded.config.integrations.metrics.source).toBe('prometheus');
    });

    it('runs no demo shop', () => {
      const { objects } = get('production');
      expect(objects.filter((o) => o.metadata.name.includes('shop'))).toEqual([]);
    });
  });

  describe('the demo overlay', () => {
    it('runs one replica of each agent and one copy of the bus', () => {
      const { objects } = get('demo');
      for (const agent of AGENT_NAMES) {
        expect(agentDeployment(objects, agent).spec?.['replicas']).toBe(1);
      }
      expect(siteConfig(objects).bus?.replicas).toBe(1);
    });

    it('runs the shop where the config scrapes it and demo-controller injects faults', () => {
      const r = get('demo');
      const shop = named(r.objects, 'Deployment', 'demo-shop');
      const template = podTemplate(shop);
      expect(secretsOf(template)).toEqual(['opscrew-shop']);
      const loaded = loadPodConfig(r, podTemplate(agentDeployment(r.objects, 'demo-controller')));
      const ports = template.spec.containers.map((c) => c.ports?.[0]?.containerPort);
      for (const [service, url] of Object.entries(
        loaded.config.integrations.metrics.scrape?.targets ?? {},
      )) {
        const target = new URL(url);
        expect({ service, host: target.hostname }).toEqual({ service, host: 'demo-shop' });
        expect(ports).toContain(Number(target.port));
        const container = template.spec.containers.find(
          (c) => c.ports?.[0]?.containerPort === Number(target.port),
        );
        expect(container?.env).toContainEqual({ name: 'SERVICE', value: service });
      }
      expect(loaded.config.agents.get('demo-controller')?.controller?.fault_hosts).toContain(
        'demo-shop',
      );
      // The shop's token is demo-controller's too (it calls the fault API with it).
      expect(r.secrets.get('opscrew-shop')?.['OPSCREW_SHOP_TOKEN']).toBe(
        r.secrets.get('opscrew-demo-controller')?.['OPSCREW_SHOP_TOKEN'],
      );
    });

    it('shares the flag file: demo-controller writes the PVC the shop reads', () => {
      const { objects } = get('demo');
      const claim = (object: K8sObject, path: string) => {
        const pod = podTemplate(object).spec;
        return pod.containers.map((container) => {
          const mount = container.volumeMounts?.find((m) => m.mountPath === path);
          const volume = pod.volumes?.find((v) => v.name === mount?.name);
          return {
            claim: volume?.persistentVolumeClaim?.claimName,
            readOnly: mount?.readOnly === true,
          };
        });
      };
      expect(claim(agentDeployment(objects, 'demo-controller'), '/app/var/flagd')).toEqual([
        { claim: 'shop-flags', readOnly: false },
      ]);
      for (const mount of claim(named(objects, 'Deployment', 'demo-shop'), '/app/var/flagd')) {
        expect(mount).toEqual({ claim: 'shop-flags', readOnly: true });
      }
      expect(named(objects, 'PersistentVolumeClaim', 'shop-flags')).toBeDefined();
    });
  });

  describe('the NATS chart values (deploy/k8s/nats)', () => {
    interface Values {
      fullnameOverride?: string;
      config: {
        cluster: { enabled: boolean; replicas?: number };
        jetstream: {
          enabled?: boolean;
          fileStore?: { enabled: boolean; pvc: { enabled: boolean } };
        };
        merge: { authorization: { users: { user: string; password: string }[] } };
      };
      container: {
        env: Record<string, { valueFrom: { secretKeyRef: { name: string; key: string } } }>;
      };
      natsBox: { enabled: boolean };
    }
    const values = parse(readFileSync(join(K8S_DIR, 'nats/values.yaml'), 'utf8')) as Values;
    const demo = parse(readFileSync(join(K8S_DIR, 'nats/values-demo.yaml'), 'utf8')) as {
      config: { cluster: { enabled: boolean } };
    };

    it('runs a 3-node JetStream cluster on volumes, named as the crew dials it', () => {
      expect(values.fullnameOverride).toBe('nats');
      expect(values.config.cluster).toEqual({ enabled: true, replicas: 3 });
      expect(values.config.jetstream.enabled).toBe(true);
      expect(values.config.jetstream.fileStore?.pvc.enabled).toBe(true);
      expect(values.natsBox.enabled).toBe(false);
      expect(demo.config.cluster.enabled).toBe(false);
    });

    it('has every bus user, each password from the Secret nats-users', () => {
      const users = values.config.merge.authorization.users;
      expect(users.map((u) => u.user)).toEqual([...BUS_USERS]);
      for (const { user, password } of users) {
        const variable = natsPasswordVariable(user as (typeof BUS_USERS)[number]);
        expect(password).toBe(`<< $${variable} >>`);
        expect(values.container.env[variable]?.valueFrom.secretKeyRef).toEqual({
          name: NATS_USERS_SECRET,
          key: variable,
        });
      }
    });
  });

  it('ships no Secret values in the manifests', () => {
    const files = readdirSync(K8S_DIR, { recursive: true, encoding: 'utf8' });
    for (const overlay of OVERLAYS) {
      expect(ofKind(get(overlay).objects, 'Secret')).toEqual([]);
    }
    expect(files.filter((file) => /secret/i.test(file) && !file.endsWith('secrets.sh'))).toEqual(
      [],
    );
  });
});

/** The crew's own Deployments (the demo shop's services have one /health for both probes). */
function isCrewContainer(deployment: string): boolean {
  return AGENT_NAMES.some((agent) => deployment === `opscrew-${agent}`);
}

import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** deploy/k8s's kustomizations, rendered and inspected by test/k8s-manifests.spec.ts. */
export const ROOT = resolve(__dirname, '../..');
export const K8S_DIR = join(ROOT, 'deploy/k8s');

/** The fields of Kubernetes objects the checks read; everything else passes through untyped. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  automountServiceAccountToken?: boolean;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface Probe {
  httpGet?: { path?: string; port?: number | string };
  periodSeconds?: number;
  failureThreshold?: number;
}

export interface Container {
  name: string;
  args?: string[];
  command?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      fieldRef?: { fieldPath: string };
      secretKeyRef?: { name: string; key: string };
    };
  }[];
  envFrom?: { secretRef?: { name: string }; configMapRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}

export interface Volume {
  name: string;
  configMap?: { name: string };
  secret?: { secretName: string };
  emptyDir?: Record<string, unknown>;
  persistentVolumeClaim?: { claimName: string };
}

export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: Volume[];
  affinity?: {
    podAntiAffinity?: {
      preferredDuringSchedulingIgnoredDuringExecution?: {
        podAffinityTerm: { topologyKey: string; labelSelector: LabelSelector };
      }[];
    };
  };
}

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyRule {
  from?: NetworkPolicyPeer[];
  to?: NetworkPolicyPeer[];
  ports?: { protocol?: string; port?: number | string }[];
}

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: NetworkPolicyRule[];
  egress?: NetworkPolicyRule[];
}

/** The NATS chart's server pods (deploy/k8s/nats/values.yaml, release `nats`): not rendered here. */
export const NATS_POD_LABELS: Record<string, string> = {
  'app.kubernetes.io/name': 'nats',
  'app.kubernetes.io/instance': 'nats',
  'app.kubernetes.io/component': 'nats',
};

const KUBECTL_MISSING =
  'kubectl is not installed: the Kubernetes manifests (deploy/k8s) are rendered with ' +
  '`kubectl kustomize`. Install it (Debian/Ubuntu: sudo apt-get install kubernetes-client).';

/** `kubectl kustomize <dir>`: the objects a `kubectl apply -k <dir>` would send. */
export function kustomize(dir: string, kubectl = 'kubectl'): K8sObject[] {
  const result = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8' });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(KUBECTL_MISSING);
  }
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed (${result.status}): ${result.stderr}`);
  }
  return parseYamlObjects(result.stdout);
}

/** Every non-empty document of a multi-document YAML stream. */
export function parseYamlObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(document.errors.join('; '));
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

/** Validates objects against the Kubernetes schemas (test/support/validate-k8s-objects.mjs). */
export function schemaProblems(
  objects: readonly K8sObject[],
): { kind: string; name: string; error: string }[] {
  const result = spawnSync(process.execPath, [join(__dirname, 'validate-k8s-objects.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`schema validation failed to run: ${result.stderr}`);
  return JSON.parse(result.stdout) as { kind: string; name: string; error: string }[];
}

/** Whether a label selector selects a pod with these labels (the API server's rules). */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const matchLabels = Object.entries(selector.matchLabels ?? {}).every(
    ([key, value]) => labels[key] === value,
  );
  const matchExpressions = (selector.matchExpressions ?? []).every((expression) => {
    const value = labels[expression.key];
    switch (expression.operator) {
      case 'In':
        return value !== undefined && (expression.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(expression.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new Error(`unknown selector operator ${expression.operator}`);
    }
  });
  return matchLabels && matchExpressions;
}

/** A Deployment's or Job's pod template. */
export function podTemplate(object: K8sObject): PodTemplate {
  const template = object.spec?.['template'] as PodTemplate | undefined;
  if (!template) throw new Error(`${object.kind} ${object.metadata.name} has no pod template`);
  return template;
}

/** The Secrets a pod template reads: envFrom, env valueFrom and secret volumes. */
export function secretsOf(template: PodTemplate): string[] {
  const names = new Set<string>();
  for (const container of template.spec.containers) {
    for (const source of container.envFrom ?? []) {
      if (source.secretRef) names.add(source.secretRef.name);
    }
    for (const variable of container.env ?? []) {
      const ref = variable.valueFrom?.secretKeyRef;
      if (ref) names.add(ref.name);
    }
  }
  for (const volume of template.spec.volumes ?? []) {
    if (volume.secret) names.add(volume.secret.secretName);
  }
  return [...names].sort();
}

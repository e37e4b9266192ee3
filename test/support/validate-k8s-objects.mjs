// Validates Kubernetes objects against the API's OpenAPI schemas, offline, with kubernetes-models
// (ESM only, hence this script, run by test/support/k8s-manifests.ts in a child process).
// stdin: a JSON array of objects. stdout: a JSON array of { kind, name, error } — empty when all
// are valid. An apiVersion/kind the package does not know is an error too (a typo, or an API
// the cluster would refuse).
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const problems = [];
for (const object of objects) {
  const name = object?.metadata?.name ?? '(unnamed)';
  const kind = String(object?.kind ?? '');
  // `apps/v1` → kubernetes-models/apps/v1/<Kind>; the core group's `v1` → kubernetes-models/v1/<Kind>.
  const modulePath = `kubernetes-models/${object?.apiVersion}/${kind}`;
  let Model;
  try {
    ({ [kind]: Model } = await import(modulePath));
  } catch {
    problems.push({ kind, name, error: `unknown apiVersion/kind ${object?.apiVersion} ${kind}` });
    continue;
  }
  if (typeof Model !== 'function') {
    problems.push({ kind, name, error: `${modulePath} exports no ${kind}` });
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push({ kind, name, error: error instanceof Error ? error.message : String(error) });
  }
}
process.stdout.write(JSON.stringify(problems));

import { join } from 'node:path';
import { packageRoot } from '@opscrew/config';

/** flagd's schemas, copied from open-feature/flagd (Apache-2.0, see deploy/flagd/NOTICE). */
export function flagdSchemaDir(): string {
  return join(packageRoot(), 'deploy', 'flagd', 'schemas');
}

/** The OpenTelemetry demo 3.0 flag file, the starting point of a missing flag file. */
export function bundledFlagFile(): string {
  return join(packageRoot(), 'deploy', 'flagd', 'demo.flagd.json');
}

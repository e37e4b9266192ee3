import { resolve } from 'node:path';
import { benchDetectionCost } from './detection-cost.bench';
import { benchLedgerThroughput } from './ledger-throughput.bench';
import { benchStorm } from './storm.bench';

/**
 * `npm run bench`: every speed and memory figure as JSON lines (never a timed
 * assertion in a test). Needs a NATS with JetStream at NATS_URL for the bus
 * benches. `npm run bench:nab` scores the drift detector on NAB separately.
 */
async function main(): Promise<void> {
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const repoRoot = resolve(__dirname, '..', '..');
  benchDetectionCost(repoRoot);
  await benchLedgerThroughput(natsUrl);
  await benchStorm(natsUrl, repoRoot);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

import { benchLedgerThroughput } from './ledger-throughput.bench';

/**
 * `npm run bench`: every speed and memory figure as JSON lines (never a timed
 * assertion in a test). Needs a NATS with JetStream at NATS_URL for the bus benches.
 */
async function main(): Promise<void> {
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  await benchLedgerThroughput(natsUrl);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

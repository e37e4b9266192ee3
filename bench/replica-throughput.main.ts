import { resolve } from 'node:path';
import { benchReplicaThroughput } from './replica-throughput.bench';

/**
 * The replica bench alone (`node dist/bench/replica-throughput.main.js` after `npm run build`):
 * `npm run bench` runs it among the others. BENCH_REPLICA_INCIDENTS sets the storm's size.
 */
benchReplicaThroughput(
  resolve(__dirname, '..', '..'),
  process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
).catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

import { resolve } from 'node:path';
import { benchAgentReady } from './agent-ready.bench';
import { benchDemoLoop } from './demo-loop.bench';
import { benchDetectionCost } from './detection-cost.bench';
import { benchIncidentsApi } from './incidents-api.bench';
import { benchInstructionScreen } from './instruction-screen.bench';
import { benchLedgerThroughput } from './ledger-throughput.bench';
import { benchPoison } from './poison.bench';
import { benchReplicaThroughput } from './replica-throughput.bench';
import { benchSecretScrubber } from './secret-scrubber.bench';
import { benchStorm } from './storm.bench';
import { benchTakeover } from './takeover.bench';
import { benchTextSafety } from './text-safety.bench';

/**
 * `npm run bench`: every speed and memory figure as JSON lines (never a timed
 * assertion in a test). Needs a NATS with JetStream at NATS_URL for the bus
 * benches. `npm run bench:nab` scores the drift detector on NAB separately.
 * The loop bench runs the demo shop and the crew (about 4 minutes for 5
 * runs); BENCH_LOOP_RUNS sets the count, 0 skips it. The replica bench runs the crew at 1, 2
 * and 3 replicas (about 1–2 minutes; `node dist/bench/replica-throughput.main.js` runs it alone).
 */
async function main(): Promise<void> {
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const repoRoot = resolve(__dirname, '..', '..');
  benchDetectionCost(repoRoot);
  benchInstructionScreen(repoRoot);
  benchTextSafety();
  benchSecretScrubber();
  await benchLedgerThroughput(natsUrl);
  await benchAgentReady(repoRoot, natsUrl);
  await benchStorm(natsUrl, repoRoot);
  await benchPoison(natsUrl);
  await benchTakeover(natsUrl);
  await benchReplicaThroughput(repoRoot, natsUrl);
  await benchIncidentsApi(natsUrl);
  const loopRuns = Number(process.env.BENCH_LOOP_RUNS ?? '5');
  if (!Number.isInteger(loopRuns) || loopRuns < 0)
    throw new Error(`BENCH_LOOP_RUNS: a whole number ≥ 0, got "${process.env.BENCH_LOOP_RUNS}"`);
  if (loopRuns > 0) await benchDemoLoop(repoRoot, loopRuns);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

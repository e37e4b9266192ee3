import { Counter } from 'prom-client';
import { AgentMetrics } from './agent-metrics';
import { DeadLetterMetrics } from './dead-letter.metrics';
import { MetricsController } from './metrics.controller';

describe('dead letters in /metrics', () => {
  it('counts per consumer and bounded reason, the unstored ones apart, from 0', async () => {
    const metrics = new AgentMetrics();
    const deadLetters = new DeadLetterMetrics(metrics.registry, ['atlas-ledger']);
    const before = await metrics.render();
    expect(before).toContain(
      'opscrew_deadletters_total{consumer="atlas-ledger",reason="schema"} 0',
    );
    expect(before).toContain(
      'opscrew_deadletters_total{consumer="atlas-ledger",reason="max_deliveries"} 0',
    );
    expect(before).toContain(
      'opscrew_deadletters_total{consumer="atlas-ledger",reason="source_mismatch"} 0',
    );

    deadLetters.deadLettered('atlas-ledger', 'schema', true);
    deadLetters.deadLettered('atlas-ledger', 'schema', false);
    deadLetters.deadLettered('atlas-ledger', 'schema', false);
    deadLetters.deadLettered('atlas-ledger', 'permanent', true);
    const text = await new MetricsController(metrics).text();
    expect(text).toContain('# TYPE opscrew_deadletters_total counter');
    expect(text).toContain('opscrew_deadletters_total{consumer="atlas-ledger",reason="schema"} 3');
    expect(text).toContain(
      'opscrew_deadletters_unstored_total{consumer="atlas-ledger",reason="schema"} 2',
    );
    expect(text).toContain(
      'opscrew_deadletters_total{consumer="atlas-ledger",reason="permanent"} 1',
    );
  });

  it('runs scrape collectors before rendering, and serves what apps register on the same registry', async () => {
    const metrics = new AgentMetrics();
    const seen = new Counter({
      name: 'app_things_total',
      help: 'things',
      registers: [metrics.registry],
    });
    metrics.onScrape(() => seen.inc(2));
    expect(await metrics.render()).toContain('app_things_total 2');
  });
});

import { loadConfig } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { RUNBOOKS_FILE, RunbookCatalog } from './runbook.catalog';

describe('RunbookCatalog (hot reload)', () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
  });
  afterEach(() => fixture.remove());

  const catalog = (): RunbookCatalog =>
    new RunbookCatalog(loadConfig({ configDir: fixture.dir, env: {} }), () =>
      loadConfig({ configDir: fixture.dir, env: {} }),
    );

  it('takes a valid edit', () => {
    const runbooks = catalog();
    fixture.patch(
      RUNBOOKS_FILE,
      "description: 'Error rate above threshold (5xx responses rising)'",
      "description: 'Errors up'",
    );
    expect(runbooks.refresh()).toBe(true);
    expect(runbooks.runbooks.patterns.get('high_error_rate')?.description).toBe('Errors up');
    expect(runbooks.generation).toBe(2);
  });

  it('rejects a broken edit and keeps the previous runbooks', () => {
    const runbooks = catalog();
    fixture.patch(
      RUNBOOKS_FILE,
      "action: 'restart_service', description: 'Restart the service' }",
      "action: 'restart_servce', description: 'Restart the service' }",
    );
    expect(runbooks.refresh()).toBe(false);
    expect(runbooks.runbooks.patterns.get('high_error_rate')?.actions[2]?.action).toBe(
      'restart_service',
    );
    expect(runbooks.generation).toBe(1);
    fixture.patch(RUNBOOKS_FILE, '{\n  patterns', '{{\n  patterns');
    expect(runbooks.refresh()).toBe(false);
  });

  it('notices a change on disk by itself', async () => {
    const runbooks = catalog();
    runbooks.watch();
    try {
      fixture.patch(
        RUNBOOKS_FILE,
        'escalate_after_repeats: 2,\n    },\n    connection_pool_exhaustion',
        'escalate_after_repeats: 3,\n    },\n    connection_pool_exhaustion',
      );
      // Polling every second; generous on a loaded CI box.
      const deadline = Date.now() + 15_000;
      while (runbooks.generation === 1 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(runbooks.runbooks.patterns.get('oom_kill')?.escalate_after_repeats).toBe(3);
    } finally {
      runbooks.stop();
    }
  });

  it('sees an edit made after the load but before the watch began', async () => {
    const runbooks = catalog();
    fixture.patch(
      RUNBOOKS_FILE,
      'escalate_after_repeats: 2,\n    },\n    connection_pool_exhaustion',
      'escalate_after_repeats: 4,\n    },\n    connection_pool_exhaustion',
    );
    runbooks.watch();
    try {
      const deadline = Date.now() + 15_000;
      while (runbooks.generation === 1 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(runbooks.runbooks.patterns.get('oom_kill')?.escalate_after_repeats).toBe(4);
    } finally {
      runbooks.stop();
    }
  });
});

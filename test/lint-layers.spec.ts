import { Linter } from 'eslint';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';
import {
  APP_TEST_FILES,
  appTestZones,
  appZones,
  LAYERS,
  layerOf,
  layerZones,
  PURE_LIBS,
  pureFiles,
  pureRules,
  SPEC_FILES,
  specZones,
  TEST_SUPPORT_FILES,
} from '../scripts/lint/layers';

const ROOT = join(__dirname, '..');
const RULE = 'import-x/no-restricted-paths';

/**
 * The layer rule of eslint.config.mjs, run on source text placed at a path in libs/ or apps/ (the file
 * need not exist: the resolver maps @opscrew/* and relative paths to the real targets). Only
 * this rule, without type information, so each case takes milliseconds.
 */
function layerErrors(file: string, source: string): string[] {
  const linter = new Linter({ cwd: ROOT });
  const messages = linter.verify(
    source,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { 'import-x': importX },
        settings: {
          'import-x/resolver-next': [
            createTypeScriptImportResolver({ project: join(ROOT, 'tsconfig.json') }),
          ],
        },
        rules: { [RULE]: ['error', layerZones(ROOT)] },
      },
      {
        files: TEST_SUPPORT_FILES.filter((glob) => glob.startsWith('libs/')),
        rules: { [RULE]: ['error', layerZones(ROOT, { testSupport: true })] },
      },
      {
        files: ['apps/**/*.ts'],
        ignores: [...TEST_SUPPORT_FILES, '**/*.spec.ts', '**/*.integration-spec.ts'],
        rules: { [RULE]: ['error', appZones(ROOT)] },
      },
      { files: [...APP_TEST_FILES], rules: { [RULE]: ['error', appTestZones(ROOT)] } },
      { files: [...SPEC_FILES], rules: { [RULE]: ['error', specZones(ROOT)] } },
    ],
    { filename: join(ROOT, file) },
  );
  const broken = messages.filter((m) => m.ruleId !== RULE);
  if (broken.length > 0) throw new Error(`lint of ${file} failed: ${JSON.stringify(broken)}`);
  return messages.map((m) => m.message);
}

/** The pure-lib rules of eslint.config.mjs (no I/O, no clock) on source text placed at a path. */
function pureErrors(file: string, source: string): string[] {
  const linter = new Linter({ cwd: ROOT });
  const messages = linter.verify(
    source,
    [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      { ...pureFiles(), rules: pureRules() as Linter.RulesRecord },
    ],
    { filename: join(ROOT, file) },
  );
  const broken = messages.filter((m) => m.ruleId === null);
  if (broken.length > 0) throw new Error(`lint of ${file} failed: ${JSON.stringify(broken)}`);
  return messages.map((m) => m.message);
}

/** Non-test TypeScript files under a folder, relative to ROOT. */
function productionFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : productionFiles(path);
    return /(?<!\.spec|\.integration-spec)\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('layers of libs/ (scripts/lint/layers.js, enforced by eslint.config.mjs)', () => {
  it('places every lib in exactly one layer', () => {
    const libs = readdirSync(join(ROOT, 'libs'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect([...layerOf(ROOT).keys()].sort()).toEqual(libs);
    expect(LAYERS[0]?.libs).toEqual(['contracts']);
    expect(LAYERS[1]?.libs).toEqual(['ports']);
    expect(LAYERS[2]?.libs).toEqual(['incident']);
    expect(LAYERS[LAYERS.length - 1]?.libs).toEqual(['testing']);
  });

  it('refuses the guardrails ⇄ integrations cycle, type-only imports included', () => {
    const back = layerErrors(
      'libs/integrations/src/runtime/fixture.ts',
      "import { type AuditRecord } from '@opscrew/guardrails';\nexport type A = AuditRecord;\n",
    );
    expect(back).toEqual([expect.stringContaining('libs/integrations (layer 5) may import only')]);
    const forth = layerErrors(
      'libs/guardrails/src/outbox/fixture.ts',
      "import { LocalTracker } from '@opscrew/integrations';\nexport const T = LocalTracker;\n",
    );
    expect(forth).toHaveLength(1);
  });

  it('refuses an upward import and a relative path into another lib', () => {
    expect(
      layerErrors(
        'libs/ports/src/fixture.ts',
        "import { type OutboxOptions } from '@opscrew/guardrails';\nexport type O = OutboxOptions;\n",
      ),
    ).toEqual([expect.stringContaining('libs/ports (layer 1) may import only @opscrew/contracts')]);
    expect(
      layerErrors(
        'libs/guardrails/src/fixture.ts',
        "export { LocalTracker } from '../../integrations/src/tracker/local.tracker';\n",
      ),
    ).toHaveLength(1);
  });

  it('refuses apps from libs, specs included', () => {
    const app = "import { AtlasModule } from '../../../apps/atlas/src/atlas.module';\n";
    expect(
      layerErrors('libs/guardrails/src/fixture.ts', `${app}export const M = AtlasModule;\n`),
    ).toHaveLength(1);
    expect(
      layerErrors('libs/guardrails/src/fixture.spec.ts', `${app}export const M = AtlasModule;\n`),
    ).toEqual([expect.stringContaining('libs/ never import apps')]);
  });

  it('allows lower layers, and peers from specs (leaves: nothing imports a spec)', () => {
    const down =
      "import { type AuditSink } from '@opscrew/ports';\n" +
      "import { INCIDENT_ID_MAX_LENGTH } from '@opscrew/contracts';\n" +
      "import { type Clock } from '@opscrew/messaging';\n" +
      'export type D = [AuditSink, Clock, typeof INCIDENT_ID_MAX_LENGTH];\n';
    expect(layerErrors('libs/guardrails/src/fixture.ts', down)).toEqual([]);
    expect(
      layerErrors(
        'libs/integrations/src/fixture.spec.ts',
        "import { JsonlAuditLog } from '@opscrew/guardrails';\nexport const J = JsonlAuditLog;\n",
      ),
    ).toEqual([]);
  });

  it('keeps the test kit (@opscrew/testing) out of production: specs and testing/ folders only', () => {
    const kit = "import { ManualClock } from '@opscrew/testing';\nexport const C = ManualClock;\n";
    expect(layerErrors('libs/guardrails/src/fixture.ts', kit)).toEqual([
      expect.stringContaining('libs/guardrails (layer 5) may import only'),
    ]);
    expect(layerErrors('apps/atlas/src/fixture.ts', kit)).toEqual([
      expect.stringContaining('@opscrew/testing is for tests only'),
    ]);
    expect(layerErrors('libs/guardrails/src/fixture.spec.ts', kit)).toEqual([]);
    expect(layerErrors('libs/guardrails/src/outbox/testing/fixture.ts', kit)).toEqual([]);
    expect(layerErrors('apps/atlas/src/fixture.integration-spec.ts', kit)).toEqual([]);
    expect(layerErrors('apps/jira-resolver/src/remediation/testing/fixture.ts', kit)).toEqual([]);
    // A testing/ folder keeps its layers otherwise: no upward import for being a test double.
    expect(
      layerErrors(
        'libs/ports/src/testing/fixture.ts',
        "import { type OutboxOptions } from '@opscrew/guardrails';\nexport type O = OutboxOptions;\n",
      ),
    ).toHaveLength(1);
  });

  it('keeps the incident domain below every lib with I/O: it imports contracts and ports only', () => {
    expect(
      layerErrors(
        'libs/incident/src/fixture.ts',
        "import { type TicketDraft } from '@opscrew/ports';\n" +
          "import { INCIDENT_PHASES } from '@opscrew/contracts';\n" +
          'export type D = [TicketDraft, typeof INCIDENT_PHASES];\n',
      ),
    ).toEqual([]);
    expect(
      layerErrors(
        'libs/incident/src/fixture.ts',
        "import { type RunbooksConfig } from '@opscrew/config';\nexport type R = RunbooksConfig;\n",
      ),
    ).toEqual([
      expect.stringContaining(
        'libs/incident (layer 2) may import only @opscrew/contracts, @opscrew/ports',
      ),
    ]);
    expect(
      layerErrors(
        'libs/messaging/src/fixture.ts',
        "import { transitionRefusal } from '@opscrew/incident';\nexport const T = transitionRefusal;\n",
      ),
    ).toEqual([]);
  });
});

describe('pure domain libs (PURE_LIBS: no I/O, no clock)', () => {
  it('lists libs/incident and libs/forecast', () => {
    expect(PURE_LIBS).toEqual(['incident', 'forecast']);
  });

  it.each([
    ["import { IncidentLedger } from '@opscrew/messaging';", '@opscrew/messaging'],
    ["import { FakeKv } from '@opscrew/messaging/testing';", 'I/O'],
    ["import { LocalTracker } from '@opscrew/integrations';", '@opscrew/integrations'],
    ["import { connect } from 'nats';", 'nats'],
    ["import { readFileSync } from 'node:fs';", 'node:fs'],
    ["import { readFile } from 'fs/promises';", 'fs/promises'],
    ["import { createServer } from 'node:net';", 'node:net'],
    ["import { request } from 'node:http';", 'node:http'],
    ["export { get } from 'https';", 'https'],
  ])('refuses %s', (line, named) => {
    expect(pureErrors('libs/incident/src/fixture.ts', `${line}\n`)).toEqual([
      expect.stringContaining(named),
    ]);
  });

  it('refuses the clock and randomness, allows a time passed in', () => {
    const errors = pureErrors(
      'libs/incident/src/fixture.ts',
      'export const a = Date.now();\nexport const b = new Date();\nexport const c = Math.random();\n' +
        "export const d = new Date(0);\nexport const e = Date.parse('2026-01-01T00:00:00Z');\n",
    );
    expect(errors).toEqual([
      expect.stringContaining('Date.now()'),
      expect.stringContaining('new Date()'),
      expect.stringContaining('Math.random()'),
    ]);
  });

  it('leaves specs and other libs alone', () => {
    const fs = "import { readFileSync } from 'node:fs';\nexport const R = readFileSync;\n";
    expect(pureErrors('libs/incident/src/fixture.spec.ts', fs)).toEqual([]);
    expect(pureErrors('libs/guardrails/src/fixture.ts', fs)).toEqual([]);
  });

  it('holds for every production file of libs/incident as it is', () => {
    const files = PURE_LIBS.flatMap((lib) => productionFiles(`libs/${lib}/src`));
    expect(files.length).toBeGreaterThan(5);
    const offences = files.flatMap((file) =>
      pureErrors(file, readFileSync(join(ROOT, file), 'utf8')).map((m) => `${file}: ${m}`),
    );
    expect(offences).toEqual([]);
  });
});

describe('boundaries of apps/ (scripts/lint/layers.js, enforced by eslint.config.mjs)', () => {
  it('keeps the demo shop free of the crew: no lib, no app', () => {
    expect(
      layerErrors(
        'apps/demo-shop/src/fixture.ts',
        "import { packageRoot } from '@opscrew/config';\nexport const P = packageRoot;\n",
      ),
    ).toEqual([expect.stringContaining('apps/demo-shop imports nothing of the crew')]);
    expect(
      layerErrors(
        'apps/demo-shop/src/supervisor/fixture.ts',
        "import { type PortClaim } from '@opscrew/integrations';\nexport type C = PortClaim;\n",
      ),
    ).toHaveLength(1);
    expect(
      layerErrors(
        'apps/demo-shop/src/fixture.ts',
        "import { startAtlas } from '../../atlas/src';\nexport const S = startAtlas;\n",
      ),
    ).toEqual([expect.stringContaining('apps/demo-shop imports nothing of the crew')]);
  });

  it("lets the shop's tests use libs (they check what the crew reads), never an app", () => {
    const lib =
      "import { parsePrometheusText } from '@opscrew/integrations';\nexport const P = parsePrometheusText;\n";
    expect(layerErrors('apps/demo-shop/src/fixture.integration-spec.ts', lib)).toEqual([]);
    expect(
      layerErrors(
        'apps/demo-shop/src/fixture.spec.ts',
        "import { shopOptionsFromConfig } from '../../cli/src/shop/shop-options.factory';\n" +
          'export const S = shopOptionsFromConfig;\n',
      ),
    ).toEqual([expect.stringContaining('apps/demo-shop imports nothing of the crew')]);
  });

  it('imports another app only through its src/index.ts, never its internals', () => {
    expect(
      layerErrors(
        'apps/cli/src/commands/fixture.ts',
        "import { startShop } from '../../../demo-shop/src/shop.launcher';\nexport const S = startShop;\n",
      ),
    ).toEqual([
      expect.stringContaining('apps/demo-shop is imported only through its public entry point'),
    ]);
    expect(
      layerErrors(
        'apps/cli/src/commands/fixture.ts',
        "import { startAtlas } from '../../../atlas/src/main';\nexport const S = startAtlas;\n",
      ),
    ).toEqual([
      expect.stringContaining('apps/atlas is imported only through its public entry point'),
    ]);
    expect(
      layerErrors(
        'apps/cli/src/commands/fixture.ts',
        "import { startShop } from '../../../demo-shop/src';\n" +
          "import { startAtlas } from '../../../atlas/src';\n" +
          'export const S = [startShop, startAtlas];\n',
      ),
    ).toEqual([]);
  });

  it("keeps the shop's internals out of the crew's tests too; crew tests may share crew internals", () => {
    expect(
      layerErrors(
        'apps/cli/src/demo/fixture.spec.ts',
        "import { SHOP_SERVICE_PROFILES } from '../../../demo-shop/src/shop-service.profiles';\n" +
          'export const P = SHOP_SERVICE_PROFILES;\n',
      ),
    ).toEqual([
      expect.stringContaining('apps/demo-shop is imported only through its public entry point'),
    ]);
    expect(
      layerErrors(
        'apps/ops-monitor/src/intake/testing/fixture.ts',
        "import { LedgerRecorder } from '../../../../atlas/src/ledger/ledger-recorder.service';\n" +
          'export const L = LedgerRecorder;\n',
      ),
    ).toEqual([]);
  });

  it('refuses apps from libs, entry points included', () => {
    expect(
      layerErrors(
        'libs/integrations/src/load/fixture.ts',
        "import { SHOP_LOAD_MIX } from '../../../../apps/demo-controller/src';\nexport const M = SHOP_LOAD_MIX;\n",
      ),
    ).toEqual([expect.stringContaining('never an app')]);
  });
});

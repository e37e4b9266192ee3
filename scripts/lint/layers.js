// The layers of libs/ and the boundaries of apps/ (issue 14 "Layers enforced", item 5), read by
// eslint.config.mjs and by test/lint-layers.spec.ts. CommonJS so both the ESM config and Jest
// load it as is.
//
// apps/: an app imports another only through its public entry point (`src/index.ts`), and the
// demo shop imports nothing of the crew (no lib, no app): it is what the crew watches.
//
// A lib may import only libs in a LOWER layer: never one in its own layer, never one above,
// never an app. The layers form a chain, so the allowed graph has no cycle — type-only
// imports included (import-x/no-cycle skips those, which is how guardrails ⇄ integrations
// went unnoticed until the ports layer took what they shared).
'use strict';

const { readdirSync } = require('node:fs');
const { join } = require('node:path');

/** Lowest first. Each entry: the libs of that layer and why they sit there. */
const LAYERS = [
  { libs: ['contracts'], why: 'event schemas and bounds: depends on nothing' },
  {
    libs: ['ports'],
    why: 'port interfaces and the values/errors crossing them: adapters and guardrails both use them',
  },
  {
    libs: ['incident'],
    why:
      'the incident domain (lifecycle, ids, keys, brief, runbook selection, escalation steps): ' +
      'pure rules that messaging, guardrails and the apps all apply, so below every lib with I/O',
  },
  {
    libs: ['config', 'messaging', 'forecast'],
    why:
      'validated settings; the bus and its buckets; capacity forecasting (pure maths that imports ' +
      'no lib, placed here so the layers below keep their one lib each)',
  },
  { libs: ['sandbox'], why: 'file and process policy, built from config' },
  {
    libs: ['guardrails', 'integrations'],
    why: 'peers behind the ports: the outbox/escalation/audit and the adapters never import each other',
  },
  { libs: ['agent-core', 'llm'], why: 'agents and models, on top of the guardrails' },
  {
    libs: ['testing'],
    why: 'the test kit (doubles, clocks, deadlines): may import any lib; only tests import it',
  },
];

/** The test kit: above every lib, and imported only by tests (TEST_KIT_USERS), never production. */
const TEST_KIT = 'testing';

/**
 * Who may import @opscrew/testing besides specs: test doubles in `testing/` folders, and test/
 * and bench/ (outside apps/ and libs/, so no zone reaches them).
 */
const TEST_SUPPORT_FILES = ['libs/**/testing/**/*.ts', 'apps/**/testing/**/*.ts'];

/** Tests are leaves (nothing imports a spec), so a spec may wire peers together; never apps. */
const SPEC_FILES = ['libs/**/*.spec.ts', 'libs/**/*.integration-spec.ts'];

/** Tests and test doubles of apps: appTestZones instead of appZones. */
const APP_TEST_FILES = [
  'apps/**/*.spec.ts',
  'apps/**/*.integration-spec.ts',
  'apps/**/*.e2e-spec.ts',
  'apps/**/testing/**/*.ts',
];

/**
 * The demo shop is the system the crew watches, not part of it (issue 14 item 5): it imports
 * no @opscrew lib and no other app, and the crew reaches it only through its entry point.
 */
const SHOP_APP = 'demo-shop';

/** Each app's public entry point, relative to the app's folder: all another app may import. */
const APP_ENTRY = './src/index.ts';

/** The folders of apps/. */
function appsOf(root) {
  return readdirSync(join(root, 'apps'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

/** One zone per app: the other apps import it only through its src/index.ts. */
function entryPointZones(apps, importers) {
  return apps
    .map((app) => ({ app, targets: importers.filter((other) => other !== app) }))
    .filter(({ targets }) => targets.length > 0)
    .map(({ app, targets }) => ({
      target: targets.map((other) => `apps/${other}`),
      from: `apps/${app}`,
      except: [APP_ENTRY],
      message:
        `apps/${app} is imported only through its public entry point apps/${app}/src/index.ts ` +
        '(layers: scripts/lint/layers.js).',
    }));
}

/** The shop imports nothing of the crew (`withLibs`: no lib either, for production code). */
function shopZone(apps, { withLibs }) {
  const others = apps.filter((app) => app !== SHOP_APP).map((app) => `apps/${app}`);
  return {
    target: `apps/${SHOP_APP}`,
    from: withLibs ? ['libs', ...others] : others,
    message:
      `apps/${SHOP_APP} imports nothing of the crew: ${withLibs ? 'no @opscrew lib and ' : ''}` +
      'no other app (layers: scripts/lint/layers.js).',
  };
}

/** The layer index of each lib; throws naming the lib when libs/ has one the table lacks. */
function layerOf(root) {
  const index = new Map();
  LAYERS.forEach((layer, i) => {
    for (const lib of layer.libs) {
      if (index.has(lib)) throw new Error(`scripts/lint/layers.js: libs/${lib} is in two layers`);
      index.set(lib, i);
    }
  });
  const present = readdirSync(join(root, 'libs'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  for (const lib of present) {
    if (!index.has(lib)) {
      throw new Error(
        `scripts/lint/layers.js: libs/${lib} has no layer; add it to LAYERS (lowest layer it can sit in)`,
      );
    }
  }
  for (const lib of index.keys()) {
    if (!present.includes(lib)) {
      throw new Error(`scripts/lint/layers.js: LAYERS names libs/${lib}, which does not exist`);
    }
  }
  return index;
}

/**
 * Options of import-x/no-restricted-paths for production code of libs/: one zone per lib. With
 * `testSupport`, for the `testing/` folders of libs: the same layers, but the test kit allowed.
 */
function layerZones(root, { testSupport = false } = {}) {
  const index = layerOf(root);
  return {
    basePath: root,
    zones: [...index].map(([lib, layer]) => {
      const below = [...index]
        .filter(([name, l]) => l < layer || (testSupport && name === TEST_KIT && lib !== TEST_KIT))
        .map(([name]) => name);
      const forbidden = [...index].filter(
        ([name, l]) => l >= layer && name !== lib && !(testSupport && name === TEST_KIT),
      );
      return {
        target: `libs/${lib}`,
        from: ['apps', ...forbidden.map(([name]) => `libs/${name}`)],
        message:
          `libs/${lib} (layer ${layer}) may import only ` +
          `${below.length > 0 ? below.map((name) => `@opscrew/${name}`).join(', ') : 'no lib'}` +
          ' and never an app (layers: scripts/lint/layers.js).',
      };
    }),
  };
}

/**
 * Libs of pure domain code: whatever their layer allows, their production files import no I/O
 * (no bus, no adapters, no files, sockets, HTTP or processes) and read no clock or randomness —
 * times and ids come in as arguments. Their specs may load the shipped config to check the rules
 * against it.
 */
const PURE_LIBS = ['incident', 'forecast'];

/** Modules that do I/O, refused in PURE_LIBS (node: and bare spellings alike). */
const IO_MODULES = [
  '@opscrew/messaging',
  '@opscrew/integrations',
  '@opscrew/agent-core',
  'nats',
  ...[
    'fs',
    'fs/promises',
    'net',
    'http',
    'https',
    'http2',
    'dgram',
    'dns',
    'tls',
    'child_process',
  ].flatMap((name) => [name, `node:${name}`]),
];

const PURE_MESSAGE = 'does I/O: a pure domain lib (scripts/lint/layers.js PURE_LIBS) imports none.';
('is I/O: libs/incident is pure domain code (layers: scripts/lint/layers.js PURE_LIBS).');

/** Rules for production files of PURE_LIBS (eslint.config.mjs and test/lint-layers.spec.ts). */
function pureRules() {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: IO_MODULES.map((name) => ({ name, message: `${name} ${PURE_MESSAGE}` })),
        patterns: [
          {
            group: ['@opscrew/messaging/*', '@opscrew/integrations/*', 'nats/*'],
            message: `I/O ${PURE_MESSAGE}`,
          },
        ],
      },
    ],
    'no-restricted-syntax': [
      'error',
      {
        selector: "NewExpression[callee.name='Date'][arguments.length=0]",
        message: 'new Date() reads the clock: take the time as an argument (pure domain code).',
      },
    ],
    'no-restricted-properties': [
      'error',
      { object: 'process', property: 'env', message: 'Only libs/config reads process.env.' },
      {
        object: 'Date',
        property: 'now',
        message: 'Date.now() reads the clock: take the time as an argument.',
      },
      {
        object: 'Math',
        property: 'random',
        message: 'Math.random() is not pure: take the draw as an argument.',
      },
    ],
  };
}

/** The production files of PURE_LIBS (globs for eslint `files`/`ignores`). */
function pureFiles() {
  return {
    files: PURE_LIBS.map((lib) => `libs/${lib}/**/*.ts`),
    ignores: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/testing/**'],
  };
}

/** Options for spec files: any lib, never an app. */
function specZones(root) {
  layerOf(root);
  return {
    basePath: root,
    zones: [
      {
        target: 'libs',
        from: ['apps'],
        message: 'libs/ never import apps, tests included (layers: scripts/lint/layers.js).',
      },
    ],
  };
}

/**
 * Options for production code of apps/: the test kit is for tests only; an app imports another
 * only through its src/index.ts; the shop imports no lib and no app.
 */
function appZones(root) {
  layerOf(root);
  const apps = appsOf(root);
  const crew = apps.filter((app) => app !== SHOP_APP);
  return {
    basePath: root,
    zones: [
      {
        target: crew.map((app) => `apps/${app}`),
        from: [`libs/${TEST_KIT}`],
        message:
          `@opscrew/${TEST_KIT} is for tests only: specs, testing/ folders, test/ and bench/ ` +
          '(layers: scripts/lint/layers.js).',
      },
      shopZone(apps, { withLibs: true }),
      ...entryPointZones(apps, crew),
    ],
  };
}

/**
 * Options for tests of apps/ (APP_TEST_FILES): leaves, so they may use any lib, and a crew
 * app's tests may reach into another crew app (the ops-monitor intake harness runs atlas's
 * ledger recorder); but the shop boundary holds both ways: the shop's tests import no app, and
 * the crew's tests import the shop only through its entry point.
 */
function appTestZones(root) {
  layerOf(root);
  const apps = appsOf(root);
  return {
    basePath: root,
    zones: [
      shopZone(apps, { withLibs: false }),
      ...entryPointZones(
        [SHOP_APP],
        apps.filter((app) => app !== SHOP_APP),
      ),
    ],
  };
}

module.exports = {
  APP_TEST_FILES,
  LAYERS,
  PURE_LIBS,
  pureFiles,
  pureRules,
  SHOP_APP,
  SPEC_FILES,
  TEST_SUPPORT_FILES,
  appTestZones,
  appZones,
  appsOf,
  layerOf,
  layerZones,
  specZones,
};

#!/usr/bin/env node
'use strict';
// The `opscrew` command. Runs the compiled CLI; says how to build it when it is missing.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`opscrew: ${entry} is missing; build first: npm ci && npm run build\n`);
  process.exit(1);
}
require(entry)
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`opscrew: ${error && error.stack ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );

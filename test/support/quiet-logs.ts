import { Logger } from '@nestjs/common';

// Libraries used in-process by tests (bus connects, provisioning) log through Nest's
// console logger; only warnings and errors are worth seeing in a test run.
Logger.overrideLogger(['error', 'warn']);

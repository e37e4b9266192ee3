import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Client from '../libs/integrations/src/runtime/process/supervisor-control.contract';
import type * as Server from '../apps/demo-shop/src/supervisor/supervisor-control.contract';

const ROOT = join(__dirname, '..');
const CLIENT = 'libs/integrations/src/runtime/process/supervisor-control.contract.ts';
const SERVER = 'apps/demo-shop/src/supervisor/supervisor-control.contract.ts';

/** The file without its opening doc comment (which says which side's copy it is). */
function body(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8').replace(/^\/\*\*[\s\S]*?\*\/\s*/, '');
}

/** Compiles only when A and B are each assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [
  Same<Client.ProcessSummary, Server.ProcessSummary>,
  Same<Client.ProcessInspection, Server.ProcessInspection>,
  Same<Client.ProcessLogs, Server.ProcessLogs>,
  Same<Client.ProcessRestartResult, Server.ProcessRestartResult>,
  Same<Client.ControlError, Server.ControlError>,
] = [true, true, true, true, true];

/**
 * The supervisor's control API has two copies of its JSON: the shop's (it serves it) and the
 * crew's (ProcessRuntimeDriver reads it). The shop imports nothing of the crew and libs never
 * import apps, so neither can import the other's: this test keeps them one contract.
 */
describe('supervisor control contract (apps/demo-shop serves, libs/integrations reads)', () => {
  it('is the same text on both sides, below the comment naming the side', () => {
    expect(body(SERVER)).toBe(body(CLIENT));
  });

  it('is the same types on both sides (type-checked by tsc)', () => {
    expect(agree).toEqual([true, true, true, true, true]);
  });
});

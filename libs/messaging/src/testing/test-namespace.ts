import { randomBytes } from 'node:crypto';

/** A namespace unique to one test file run: `t<time><random>` (token-safe). */
export function testNamespace(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

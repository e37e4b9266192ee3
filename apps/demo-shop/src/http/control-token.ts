import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The bearer token that guards `/faults` (the same one as the supervisor's
 * control API). Compared as SHA-256 digests: equal lengths always, so the
 * comparison is constant-time and leaks neither content nor length.
 */
export class ControlToken {
  private readonly digest: Buffer | null;

  constructor(token: string | null) {
    this.digest = token === null || token === '' ? null : sha256(token);
  }

  /** False when no token is configured: fault injection is then off entirely. */
  get configured(): boolean {
    return this.digest !== null;
  }

  /** Whether an `Authorization` header carries the token. */
  accepts(header: string | undefined): boolean {
    if (this.digest === null || header === undefined) return false;
    const match = /^Bearer (\S+)$/.exec(header);
    if (match?.[1] === undefined) return false;
    return timingSafeEqual(sha256(match[1]), this.digest);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

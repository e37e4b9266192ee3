import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/**
 * How old (or how far ahead) an interaction's `X-Signature-Timestamp` may be. Discord signs
 * every request and sends it at once, so a genuine one is seconds old; five minutes tolerates
 * clock skew between Discord and this host while bounding how long a captured request could be
 * replayed — and so how long the replay memory below must remember a signature.
 */
export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

/**
 * Signatures remembered within the window. Only Discord can produce a valid signature, so this
 * many interactions in five minutes is far beyond any team's use; past it the oldest are
 * forgotten (memory stays bounded whatever arrives).
 */
export const REPLAY_MEMORY_MAX = 10_000;

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo: the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const SIGNATURE_HEX = /^[0-9a-fA-F]{128}$/;
const TIMESTAMP = /^[0-9]{1,12}$/;

export type SignatureVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** The configured public key (64 hex characters) as a node:crypto key. */
export function ed25519PublicKey(hex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new Error('the Discord public key must be 64 hex characters (32 bytes)');
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]),
    format: 'der',
    type: 'spki',
  });
}

/**
 * Discord's request signing: `X-Signature-Ed25519` is the Ed25519 signature of
 * `X-Signature-Timestamp` followed by the raw body, with the application's public key.
 * A request is refused when either header is missing or malformed, the signature does not
 * verify, the timestamp is outside the replay window, or the same (timestamp, signature)
 * pair was already accepted within it.
 */
export class DiscordSignatureVerifier {
  /** `timestamp:signature` → when accepted (ms); insertion order is acceptance order. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly publicKey: KeyObject,
    private readonly now: () => number = Date.now,
    private readonly memoryMax: number = REPLAY_MEMORY_MAX,
  ) {}

  check(
    signature: string | undefined,
    timestamp: string | undefined,
    rawBody: Buffer,
  ): SignatureVerdict {
    if (signature === undefined || signature === '')
      return { ok: false, reason: 'missing X-Signature-Ed25519 header' };
    if (timestamp === undefined || timestamp === '')
      return { ok: false, reason: 'missing X-Signature-Timestamp header' };
    if (!SIGNATURE_HEX.test(signature))
      return { ok: false, reason: 'X-Signature-Ed25519 must be 128 hex characters' };
    if (!TIMESTAMP.test(timestamp))
      return { ok: false, reason: 'X-Signature-Timestamp must be Unix seconds' };
    const valid = verify(
      null,
      Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]),
      this.publicKey,
      Buffer.from(signature, 'hex'),
    );
    if (!valid) return { ok: false, reason: 'invalid request signature' };
    // Checked after the signature: an unsigned request learns nothing about our clock.
    const now = this.now();
    const skew = Math.abs(now - Number(timestamp) * 1000);
    if (skew > REPLAY_WINDOW_MS)
      return {
        ok: false,
        reason: `stale request: its timestamp is ${Math.round(skew / 1000)} s from now (at most ${REPLAY_WINDOW_MS / 1000} s)`,
      };
    this.forgetOld(now);
    const key = `${timestamp}:${signature.toLowerCase()}`;
    if (this.seen.has(key)) return { ok: false, reason: 'replayed request' };
    this.seen.set(key, now);
    while (this.seen.size > this.memoryMax) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
    return { ok: true };
  }

  /** How many signatures are remembered (tests: memory stays bounded). */
  get remembered(): number {
    return this.seen.size;
  }

  private forgetOld(now: number): void {
    // A remembered pair older than the window would be refused as stale anyway.
    for (const [key, at] of this.seen) {
      if (now - at <= REPLAY_WINDOW_MS) break;
      this.seen.delete(key);
    }
  }
}

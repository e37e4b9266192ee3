import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import fc from 'fast-check';
import {
  DiscordSignatureVerifier,
  ed25519PublicKey,
  REPLAY_WINDOW_MS,
} from './discord-signature.verifier';

const NOW_S = 1_765_000_000;

function keyPair(): { privateKey: KeyObject; publicHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // The raw 32-byte key is the tail of its SPKI DER, as Discord shows it (hex).
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicHex: der.subarray(der.length - 32).toString('hex') };
}

function signed(privateKey: KeyObject, timestamp: string, body: Buffer): string {
  return sign(null, Buffer.concat([Buffer.from(timestamp), body]), privateKey).toString('hex');
}

function flipBit(bytes: Buffer, bit: number): Buffer {
  const copy = Buffer.from(bytes);
  const index = Math.floor(bit / 8) % copy.length;
  copy[index] = (copy[index] ?? 0) ^ (1 << (bit % 8));
  return copy;
}

describe('DiscordSignatureVerifier', () => {
  const { privateKey, publicHex } = keyPair();
  const fresh = (now = NOW_S * 1000): DiscordSignatureVerifier =>
    new DiscordSignatureVerifier(ed25519PublicKey(publicHex), () => now);

  it('accepts a request signed with the application key over timestamp + raw body', () => {
    const body = Buffer.from('{"type":1}');
    const ts = String(NOW_S);
    expect(fresh().check(signed(privateKey, ts, body), ts, body)).toEqual({ ok: true });
  });

  it('refuses any single-bit change of body, timestamp or signature (random bodies)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.constantFrom('body', 'timestamp', 'signature'),
        (bytes, bit, part) => {
          const body = Buffer.from(bytes);
          const ts = String(NOW_S);
          const signature = signed(privateKey, ts, body);
          const verifier = fresh();
          const changed = {
            body: part === 'body' ? flipBit(body, bit) : body,
            ts: part === 'timestamp' ? flipBit(Buffer.from(ts), bit).toString('latin1') : ts,
            signature:
              part === 'signature'
                ? flipBit(Buffer.from(signature, 'hex'), bit).toString('hex')
                : signature,
          };
          expect(verifier.check(changed.signature, changed.ts, changed.body).ok).toBe(false);
          // The untouched request still passes: the refusal was the flipped bit.
          expect(verifier.check(signature, ts, body).ok).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a valid signature from another key', () => {
    const other = keyPair();
    const body = Buffer.from('{"type":1}');
    const ts = String(NOW_S);
    expect(fresh().check(signed(other.privateKey, ts, body), ts, body)).toEqual({
      ok: false,
      reason: 'invalid request signature',
    });
  });

  it('refuses missing or malformed headers, naming which', () => {
    const body = Buffer.from('{}');
    const ts = String(NOW_S);
    const signature = signed(privateKey, ts, body);
    const verifier = fresh();
    expect(verifier.check(undefined, ts, body)).toMatchObject({ reason: /X-Signature-Ed25519/ });
    expect(verifier.check(signature, undefined, body)).toMatchObject({
      reason: /X-Signature-Timestamp/,
    });
    expect(verifier.check('zz', ts, body)).toMatchObject({ reason: /128 hex/ });
    expect(verifier.check(signature, '12ab', body)).toMatchObject({ reason: /Unix seconds/ });
  });

  it('refuses a stale or future timestamp even when signed', () => {
    const body = Buffer.from('{"type":1}');
    for (const offsetS of [-(REPLAY_WINDOW_MS / 1000) - 1, REPLAY_WINDOW_MS / 1000 + 1]) {
      const ts = String(NOW_S + offsetS);
      expect(fresh().check(signed(privateKey, ts, body), ts, body)).toMatchObject({
        ok: false,
        reason: /stale request/,
      });
    }
  });

  it('refuses a replay of an accepted request within the window', () => {
    const body = Buffer.from('{"type":2}');
    const ts = String(NOW_S);
    const signature = signed(privateKey, ts, body);
    const verifier = fresh();
    expect(verifier.check(signature, ts, body).ok).toBe(true);
    expect(verifier.check(signature, ts, body)).toEqual({ ok: false, reason: 'replayed request' });
    expect(verifier.check(signature.toUpperCase(), ts, body)).toEqual({
      ok: false,
      reason: 'replayed request',
    });
  });

  it('keeps its replay memory bounded and forgets signatures past the window', () => {
    let now = NOW_S * 1000;
    const verifier = new DiscordSignatureVerifier(ed25519PublicKey(publicHex), () => now, 50);
    for (let n = 0; n < 120; n += 1) {
      const body = Buffer.from(`{"n":${n}}`);
      const ts = String(NOW_S);
      expect(verifier.check(signed(privateKey, ts, body), ts, body).ok).toBe(true);
      expect(verifier.remembered).toBeLessThanOrEqual(50);
    }
    now += REPLAY_WINDOW_MS + 1000;
    const ts = String(Math.floor(now / 1000));
    const body = Buffer.from('{"late":true}');
    expect(verifier.check(signed(privateKey, ts, body), ts, body).ok).toBe(true);
    expect(verifier.remembered).toBe(1);
  });

  it('refuses a public key that is not 32 bytes of hex', () => {
    expect(() => ed25519PublicKey('abc')).toThrow('64 hex characters');
  });
});

/**
 * A long base64 run that decodes to readable text is text hidden from a
 * reader (garak's encoding probes): flagged. Binary payloads (protobuf,
 * compressed data, keys) decode to bytes, and JWTs (`eyJ…`, a JSON header)
 * are everyday tokens: neither is flagged.
 */
/** A run this long of base64 characters is a blob worth decoding. */
const MIN_RUN = 120;
/** Decoding more than this adds nothing to the verdict. */
const DECODE_MAX_CHARS = 4096;

export function hasEncodedText(text: string): boolean {
  let checked = 0;
  let start = 0;
  // One pass over the text; each run of base64 characters is looked at once.
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && isBase64(text.charCodeAt(i))) continue;
    if (i - start >= MIN_RUN) {
      // Three runs are plenty: a text of many blobs is a dump, not a hidden message.
      if (++checked > 3) return false;
      const run = text.slice(start, Math.min(i, start + DECODE_MAX_CHARS));
      if (
        !run.startsWith('eyJ') &&
        readable(Buffer.from(run.slice(0, run.length - (run.length % 4)), 'base64'))
      )
        return true;
    }
    start = i + 1;
  }
  return false;
}

/** `A-Z a-z 0-9 + /` (the padding `=` ends a run). */
function isBase64(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2b ||
    c === 0x2f
  );
}

/** Printable ASCII (and whitespace), mostly letters and spaces: a sentence, not bytes. */
function readable(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  let printable = 0;
  let letters = 0;
  for (const byte of bytes) {
    if ((byte >= 0x20 && byte < 0x7f) || byte === 0x0a || byte === 0x09 || byte === 0x0d)
      printable++;
    if ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x20)
      letters++;
  }
  return printable / bytes.length >= 0.95 && letters / bytes.length >= 0.6;
}

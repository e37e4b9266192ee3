/**
 * A long base64 run that decodes to readable text is text hidden from a
 * reader (garak's encoding probes): flagged. Binary payloads (protobuf,
 * compressed data, keys) decode to bytes, and JWTs (`eyJ…`, a JSON header)
 * are everyday tokens: neither is flagged.
 */
const BASE64_RUN = /[A-Za-z0-9+/]{120}/g;
const BASE64_CHAR = /[A-Za-z0-9+/=]/;
/** Decoding more than this adds nothing to the verdict. */
const DECODE_MAX_CHARS = 4096;

export function hasEncodedText(text: string): boolean {
  BASE64_RUN.lastIndex = 0;
  let checked = 0;
  for (let match = BASE64_RUN.exec(text); match !== null; match = BASE64_RUN.exec(text)) {
    // Three runs are plenty: a text of many blobs is a dump, not a hidden message.
    if (++checked > 3) return false;
    let end = match.index + match[0].length;
    while (
      end < text.length &&
      end - match.index < DECODE_MAX_CHARS &&
      BASE64_CHAR.test(text.charAt(end))
    )
      end++;
    const run = text.slice(match.index, end);
    BASE64_RUN.lastIndex = end;
    if (run.startsWith('eyJ')) continue;
    if (readable(Buffer.from(run.slice(0, run.length - (run.length % 4)), 'base64'))) return true;
  }
  return false;
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

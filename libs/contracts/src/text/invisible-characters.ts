/**
 * Characters a reader does not see but a parser or a model does: C0/C1
 * controls (except tab, newline and carriage return), soft hyphen, zero-width
 * and joiner characters, bidi embeddings, overrides and isolates (Trojan
 * Source), Hangul fillers that render blank, variation selectors other than
 * the emoji one, the BOM, interlinear annotations, and Unicode tag characters
 * (ASCII smuggling). ONE list for every place that strips or flags them
 * (output neutralising, the untrusted-data wrapper, the input screen), so a
 * character hidden from one is hidden from none.
 */
export const INVISIBLE_RANGES =
  '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u00AD\\u034F\\u061C' +
  '\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E' +
  '\\u2060-\\u206F\\u3164\\uFE00-\\uFE0E\\uFEFF\\uFFA0\\uFFF0-\\uFFFB' +
  '\\u{E0000}-\\u{E007F}\\u{E0100}-\\u{E01EF}';

/**
 * A fresh regex over {@link INVISIBLE_RANGES} (a new object per call: a shared
 * global regex would carry `lastIndex` from one caller to the next).
 * `flags` must include `u` (the tag ranges are astral code points).
 */
export function invisibleCharacters(flags: 'gu' | 'u' = 'gu'): RegExp {
  return new RegExp(`[${INVISIBLE_RANGES}]`, flags);
}

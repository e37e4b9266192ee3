/** What a cut string ends with: one character, so it costs one unit of any limit. */
export const ELLIPSIS = '…';

/**
 * Cuts `text` to at most `max` UTF-16 code units (the unit Discord and Jira
 * count in, and never fewer than code points), ending with an ellipsis when
 * cut. Never splits a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  if (max === 1) return ELLIPSIS;
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  // A high surrogate without its low half would render as a replacement character.
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + ELLIPSIS;
}

import { neutralise, type TextTarget } from '@opscrew/integrations';

/** Discord's limit on a message's content. */
export const DISCORD_CONTENT_MAX = 2000;

const ELLIPSIS = '…';

/**
 * A reply's text as it may be shown: neutralised (incident text, service names and caller
 * input are data — no mentions, links or markup reach Discord) and cut to `max` characters.
 * Neutralising first: escapes lengthen the text, and the cut must hold for what is sent.
 */
export function formatReplyText(
  text: string,
  target: TextTarget,
  max: number = DISCORD_CONTENT_MAX,
): string {
  const safe = neutralise(text, target).trim();
  const shown = safe === '' ? '(no answer)' : safe;
  if (shown.length <= max) return shown;
  let cut = shown.slice(0, max - ELLIPSIS.length);
  // An escape's backslash alone at the end would escape the ellipsis instead.
  if (/(^|[^\\])(\\\\)*\\$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}${ELLIPSIS}`;
}

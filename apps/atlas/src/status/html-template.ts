import { escapeHtml } from './html-escape';

/** Markup the template built itself: inserted as is. Anything else is text and escaped. */
export class SafeHtml {
  constructor(readonly html: string) {}

  toString(): string {
    return this.html;
  }
}

export type HtmlValue = SafeHtml | string | number | null | undefined | readonly HtmlValue[];

/**
 * The page's only template mechanism: a tagged template that escapes every interpolated value
 * unless it is SafeHtml (another `html` result). Escaping is the default, so forgetting it is
 * not possible; only literal template text is markup. null/undefined render as nothing.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof SafeHtml) return value.html;
  if (Array.isArray(value)) return value.map((item: HtmlValue) => render(item)).join('');
  return escapeHtml(String(value));
}

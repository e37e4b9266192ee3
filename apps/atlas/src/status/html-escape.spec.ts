import fc from 'fast-check';
import { escapeHtml, safeHref } from './html-escape';
import { html, SafeHtml } from './html-template';

function unescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('escapeHtml', () => {
  it('leaves no character that could end a text node or a quoted attribute, and loses nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const escaped = escapeHtml(value);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(escaped).not.toMatch(/&(?!(?:amp|lt|gt|quot|#39);)/);
        expect(unescape(escaped)).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it('escapes the classic payloads', () => {
    expect(escapeHtml('<img src=x onerror="alert(1)">')).toBe(
      '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;',
    );
    expect(escapeHtml("' autofocus onfocus='x")).toBe('&#39; autofocus onfocus=&#39;x');
  });
});

describe('html (the template tag)', () => {
  it('escapes every interpolated string and number, inserts SafeHtml as is', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const out = html`<td title="${value}">${value}</td>`.html;
        expect(out).toBe(`<td title="${escapeHtml(value)}">${escapeHtml(value)}</td>`);
      }),
    );
    expect(html`<p>${html`<b>${'<i>'}</b>`}</p>`.html).toBe('<p><b>&lt;i&gt;</b></p>');
    expect(html`<p>${['<a>', new SafeHtml('<br>')]}${null}${undefined}${3}</p>`.html).toBe(
      '<p>&lt;a&gt;<br>3</p>',
    );
  });
});

describe('safeHref', () => {
  it('keeps http(s) URLs and refuses every other scheme', () => {
    expect(safeHref('https://jira.example.com/browse/OPS-1')).toBe(
      'https://jira.example.com/browse/OPS-1',
    );
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,<b>x</b>')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
    expect(safeHref(null)).toBeNull();
  });
});

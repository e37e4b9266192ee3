import { type TicketDraft } from '@opscrew/ports';
import { findLiveMarkup } from '../testing/hostile-text';
import { adfPlainText, buildTicketDescription, textToAdf } from './adf.builder';
import { checkAdf } from './adf.validator';

const draft: TicketDraft = {
  idempotency_key: 'ticket:INC-20250131-001',
  incident_id: 'INC-20250131-001',
  summary: 'High error rate on checkout',
  severity: 'high',
  service: 'checkout',
  labels: ['auto-detected'],
  sections: [
    { label: 'Detected at', text: '2025-01-31T12:00:00Z' },
    { label: 'Service', text: 'checkout' },
    { label: 'Symptom', text: 'error_rate_pct 12.5 > threshold 5' },
    { label: 'Impact', text: 'payments failing\nfor 12% of requests' },
    { label: 'Trace', text: 'trace 4bf92f35', href: 'https://signoz.example.com/trace/4bf92f35' },
    { label: 'Runbook', text: 'restart-service' },
  ],
};

describe('ADF builder', () => {
  it('builds a valid ADF document: doc/version 1/paragraphs of text with marks', () => {
    const doc = buildTicketDescription(draft, 'opscrew-idem-abc');
    expect(checkAdf(doc)).toEqual([]);
    expect(doc.type).toBe('doc');
    expect(doc.version).toBe(1);
    expect(doc.content).toHaveLength(draft.sections.length + 1);
    expect(doc.content[0]).toEqual({
      type: 'paragraph',
      content: [
        { type: 'text', text: 'Detected at: ', marks: [{ type: 'strong' }] },
        { type: 'text', text: '2025-01-31T12:00:00Z' },
      ],
    });
    // Multi-line text becomes hard breaks, never raw newlines inside a text node.
    expect(doc.content[3]?.content).toEqual([
      { type: 'text', text: 'Impact: ', marks: [{ type: 'strong' }] },
      { type: 'text', text: 'payments failing' },
      { type: 'hardBreak' },
      { type: 'text', text: 'for 12% of requests' },
    ]);
  });

  it('renders the trace link as a link mark on the text', () => {
    const doc = buildTicketDescription(draft, 'opscrew-idem-abc');
    expect(doc.content[4]?.content[1]).toEqual({
      type: 'text',
      text: 'trace 4bf92f35',
      marks: [{ type: 'link', attrs: { href: 'https://signoz.example.com/trace/4bf92f35' } }],
    });
  });

  it('never renders an untrusted href as a link and neutralises section text', () => {
    const doc = buildTicketDescription(
      {
        ...draft,
        sections: [
          {
            label: 'Trace @everyone',
            text: 'see https://evil.com <@&1>',
            href: 'javascript:alert(1)',
          },
        ],
      },
      'opscrew-idem-abc',
    );
    expect(checkAdf(doc)).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('"link"');
    expect(findLiveMarkup(adfPlainText(doc), 'plain')).toEqual([]);
  });

  it('produces no empty text nodes and a placeholder for empty input', () => {
    const doc = textToAdf('\n\n');
    expect(checkAdf(doc)).toEqual([]);
    expect(adfPlainText(doc)).toContain('(empty)');
    const withFooter = textToAdf('first\n\nsecond', 'opscrew ref 123');
    expect(withFooter.content).toHaveLength(3);
    expect(checkAdf(withFooter)).toEqual([]);
  });

  it('validator reports malformed documents', () => {
    expect(checkAdf({ type: 'doc', version: 2, content: [] })).toEqual(['version: must be 1']);
    expect(
      checkAdf({
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }],
      }),
    ).toEqual(['content[0].content[0].text: must be a non-empty string']);
    expect(checkAdf('plain string')).toEqual(['body: must be an ADF document object']);
    expect(
      checkAdf({
        type: 'doc',
        version: 1,
        content: [
          { type: 'paragraph', content: [{ type: 'text', text: 'x', marks: [{ type: 'link' }] }] },
        ],
      }),
    ).toEqual(['content[0].content[0].marks[0].attrs.href: a link mark needs an href']);
  });
});

describe('ADF validator limits', () => {
  it("refuses a document over Jira's 32,767 characters of JSON", () => {
    const doc = {
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x'.repeat(33_000) }] }],
    };
    expect(checkAdf(doc)).toEqual([expect.stringContaining('Jira allows 32767')]);
  });
});

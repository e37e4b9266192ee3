import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { type BriefSources, briefFacts, buildBrief, renderTicket } from '@opscrew/incident';
import { type TicketDraft } from '@opscrew/ports';
import { bigHostileString, hostileString } from '@opscrew/testing';
import fc from 'fast-check';
import { adfLinks } from '../testing/adf-links';
import { findLiveMarkup } from '../testing/hostile-text';
import { ADF_MAX_LINES, adfPlainText, buildTicketDescription, textToAdf } from './adf.builder';
import { ADF_JSON_LIMIT, ADF_TRUNCATION_NOTE } from './adf.fit';
import { type AdfDoc } from './adf.types';
import { ADF_MAX_DEPTH, checkAdf } from './adf.validator';
import { JIRA_SUMMARY_MAX_LENGTH, jiraSummary } from './jira-summary';

const LABEL = 'opscrew-idem-abc';

function draftOf(text: fc.Arbitrary<string>): fc.Arbitrary<TicketDraft> {
  return fc.record({
    idempotency_key: text,
    incident_id: text,
    summary: text,
    sections: fc.array(
      fc.record(
        {
          label: text,
          text,
          href: fc.oneof(text, fc.constant(`https://signoz.example.com/${'%F0'.repeat(600)}`)),
        },
        { requiredKeys: ['label', 'text'] },
      ),
      { maxLength: 12 },
    ),
    labels: fc.array(text, { maxLength: 3 }),
    severity: fc.constantFrom('critical', 'high', 'medium', 'low', 'info'),
    service: text,
  });
}

/** Valid ADF, within Jira's limit, hard breaks bounded, text inert (plain target). */
function expectSafe(doc: AdfDoc): void {
  expect(checkAdf(doc)).toEqual([]);
  expect(JSON.stringify(doc).length).toBeLessThanOrEqual(ADF_JSON_LIMIT);
  for (const block of doc.content) {
    const breaks = block.content.filter((node) => node.type === 'hardBreak').length;
    // Per section: its text's lines (the label and link are one line each).
    expect(breaks).toBeLessThan(ADF_MAX_LINES);
  }
  expect(findLiveMarkup(adfPlainText(doc), 'plain')).toEqual([]);
}

describe('ADF builder (properties)', () => {
  it('any draft: a valid description within 32,767 characters of JSON, nothing live', () => {
    fc.assert(
      fc.property(draftOf(hostileString()), (draft) => {
        expectSafe(buildTicketDescription(draft, LABEL));
      }),
      { numRuns: 200 },
    );
  });

  it('any comment: a valid document within the limit, footer kept', () => {
    fc.assert(
      fc.property(hostileString(200), (text) => {
        const doc = textToAdf(text, 'opscrew ref 123');
        expectSafe(doc);
        expect(adfPlainText(doc)).toContain('opscrew ref 123');
      }),
      { numRuns: 200 },
    );
  });

  it('any summary: one neutralised line of at most 255 characters, never empty', () => {
    fc.assert(
      fc.property(hostileString(150), hostileString(10), (summary, id) => {
        const out = jiraSummary(summary, id);
        expect(out.length).toBeGreaterThan(0);
        expect(out.length).toBeLessThanOrEqual(JIRA_SUMMARY_MAX_LENGTH);
        expect(out).not.toMatch(/[\n\r]/);
        expect(findLiveMarkup(out, 'plain')).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('64 KB and 1 MB texts: within the limit, the cut marked', () => {
    fc.assert(
      fc.property(fc.oneof(bigHostileString(64 * 1024), bigHostileString(1 << 20)), (big) => {
        const draft: TicketDraft = {
          idempotency_key: 'ticket:x',
          incident_id: big,
          summary: big,
          sections: [
            { label: big, text: big },
            { label: 'Traces', text: big, href: 'https://signoz.example.com/t' },
            { label: 'More', text: big },
          ],
          labels: [],
          severity: 'high',
          service: big,
        };
        const doc = buildTicketDescription(draft, LABEL);
        expectSafe(doc);
        // Cut per section (an ellipsis) or at the document's end (the note): marked either way.
        // NFKC folds a raw cut's `…` to `...`: either marks the cut.
        expect(adfPlainText(doc)).toMatch(/…|\.\.\./);
        expectSafe(textToAdf(big, 'ref'));
        expect(jiraSummary(big, big).length).toBeLessThanOrEqual(JIRA_SUMMARY_MAX_LENGTH);
      }),
      { numRuns: 3 },
    );
  });
});

describe('ADF builder (regressions)', () => {
  const { config } = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
  const sources: BriefSources = {
    services: config.services,
    thresholds: config.thresholds,
    integrations: { signoz: { url: 'https://signoz.example.com' } },
  };
  const facts = {
    incident_id: 'INC-20261124-007',
    service: 'cart',
    symptom: 'high_error_rate',
    severity: 'high' as const,
    metric: 'error_rate_ratio',
    value: 0.12,
    threshold: 0.02,
    detected_at: '2026-11-24T10:00:00.000Z',
    detail: 'error rate 12.0 % above 2.00 %',
  };

  it('a multi-line service name does not repeat the trace link per line (was 236,499 chars)', () => {
    // 1,292 characters: 323 lines of "ab\n" plus a char per line, each a 9-char %-escape in the URL.
    const service = 'é\n\u{1F600}'.repeat(323);
    const ticket = renderTicket(buildBrief({ ...facts, service }, sources), []);
    const doc = buildTicketDescription(ticket, LABEL);
    expectSafe(doc);
    const json = JSON.stringify(doc);
    expect(json.length).toBeLessThanOrEqual(ADF_JSON_LIMIT);
    expect(json.split('"type":"link"').length - 1).toBeLessThanOrEqual(1);
  });

  it('a document over the limit is cut, and says so', () => {
    const doc = textToAdf('a paragraph\n\n'.repeat(5000), 'ref 1');
    expectSafe(doc);
    const plain = adfPlainText(doc);
    expect(plain).toContain(ADF_TRUNCATION_NOTE);
    expect(plain.trimEnd().endsWith('ref 1')).toBe(true);
  });

  it('2,000 newlines in the detail make at most a few dozen hard breaks (was 1,905)', () => {
    const detail = 'line\n'.repeat(2000);
    const ticket = renderTicket(buildBrief({ ...facts, detail }, sources), []);
    const doc = buildTicketDescription(ticket, LABEL);
    expectSafe(doc);
    expect(JSON.stringify(doc).split('hardBreak').length - 1).toBeLessThan(ADF_MAX_LINES);
  });

  it('buildBrief takes any service name, lone surrogates included', () => {
    fc.assert(
      fc.property(hostileString(), (service) => {
        const brief = buildBrief(briefFacts({ ...fingerprint, service }), sources);
        expectSafe(buildTicketDescription(renderTicket(brief, []), LABEL));
      }),
      { numRuns: 100 },
    );
    expect(() => buildBrief({ ...facts, service: 'cart\uD800' }, sources)).not.toThrow();
  });

  it('walkers survive 20,000 levels of nesting', () => {
    let deep: unknown = { type: 'text', text: 'x' };
    for (let i = 0; i < 20_000; i += 1) deep = { type: 'blockquote', content: [deep] };
    const doc = { type: 'doc', version: 1, content: [deep] };
    expect(adfPlainText(doc)).toBe('x');
    expect(adfLinks(doc)).toEqual([]);
    expect(checkAdf(doc)).toEqual([
      expect.stringContaining(`nested deeper than ${ADF_MAX_DEPTH} blocks`),
    ]);
  });
});

const fingerprint = {
  fingerprint: 'cart:high_error_rate',
  incident_id: 'INC-20261124-007',
  service: 'cart',
  symptom: 'high_error_rate',
  severity: 'high' as const,
  metric: 'error_rate_ratio',
  rule: 'absolute' as const,
  detail: 'error rate 12.0 % above 2.00 %',
  threshold: 0.02,
  opened_at: '2026-11-24T10:00:00.000Z',
  last_seen_at: '2026-11-24T10:00:00.000Z',
  count: 1,
  first_value: 0.12,
  last_value: 0.12,
  peak_value: 0.12,
  published_peak: 0.12,
  published_severity: 'high' as const,
  announced: false,
  informational: false,
};

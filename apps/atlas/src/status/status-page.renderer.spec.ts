import fc from 'fast-check';
import { bounded, type CrewRow, STATUS_ROW_LIMITS, type StatusModel } from './status-model';
import { renderStatusPage, STATUS_PAGE_CSP } from './status-page.renderer';
import { htmlSkeleton, visibleText } from './testing/html-structure';
import { fixtureModel, incidentRow } from './testing/status-model.fixture';

/** Every string of the fixture model replaced by `text(i)` (the i-th string): the same shape. */
function withStrings(text: (index: number) => string): StatusModel {
  let n = 0;
  const next = (): string => text(n++);
  const base = fixtureModel();
  const crewRows: readonly CrewRow[] = base.crew.status === 'ok' ? base.crew.rows : [];
  return {
    ...base,
    crew: bounded(
      crewRows.map((row) => ({
        ...row,
        agent: next(),
        last_heartbeat_at: next(),
        version: next(),
        replicas: row.replicas.map((replica) => ({ ...replica, replica: next() })),
      })),
      10,
    ),
    incidents: bounded(
      [0, 1].map((i) =>
        incidentRow(i, {
          incident_id: next(),
          service: next(),
          symptom: next(),
          detected_at: next(),
          updated_at: next(),
          // A link either way: the URL's path is the hostile part.
          ticket: { key: next(), url: `https://jira.example.com/${next()}`, state: 'delivered' },
        }),
      ),
      STATUS_ROW_LIMITS.incidents,
    ),
    locks: bounded(
      [
        {
          key: next(),
          service: next(),
          holder: next(),
          reason: next(),
          expires_at: next(),
          expires_in_s: 3,
          state: 'live' as const,
        },
      ],
      STATUS_ROW_LIMITS.locks,
    ),
    silences: bounded(
      [{ service: next(), until: next(), reason: next(), by: next() }],
      STATUS_ROW_LIMITS.silences,
    ),
    slos: bounded(
      [
        {
          service: next(),
          objective: 'latency' as const,
          target: 0.99,
          budget_remaining_ratio: 0.1,
          burn_rate_1h: 1,
          alerting: false,
        },
      ],
      STATUS_ROW_LIMITS.slos,
    ),
    reports: bounded([{ name: next(), title: next(), at: next() }], STATUS_ROW_LIMITS.reports),
  };
}

/** Strings an attacker would try, mixed with arbitrary ones. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    '</td></tr></table><h1>pwned</h1>',
    '&lt;already escaped&gt;',
    '<!--',
    ']]>',
    'javascript:alert(1)',
    '<style>body{display:none}</style>',
  ),
);

describe('renderStatusPage', () => {
  it('no string from the system can add, remove or reshape a tag or an attribute', () => {
    const reference = htmlSkeleton(renderStatusPage(withStrings(() => 'x')));
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 40, maxLength: 40 }), (strings) => {
        const page = renderStatusPage(withStrings((i) => strings[i % strings.length] ?? ''));
        expect(htmlSkeleton(page)).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });

  it('links a ticket only to an http(s) URL', () => {
    const page = renderStatusPage(
      fixtureModel({
        incidents: bounded(
          [
            incidentRow(1, {
              ticket: { key: 'OPS-1', url: 'javascript:alert(1)', state: 'delivered' },
            }),
          ],
          50,
        ),
      }),
    );
    expect(page).not.toContain('javascript:');
    expect(visibleText(page)).toContain('OPS-1');
  });

  it('shows hostile text as text', () => {
    const payload = '"><img src=x onerror=alert(1)>';
    const page = renderStatusPage(withStrings(() => payload));
    expect(page).not.toContain('<img');
    expect(visibleText(page)).toContain(payload);
  });

  it('is self-contained: no script, no external URL, a meta refresh, the inline style only', () => {
    const page = renderStatusPage(fixtureModel());
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<link/i);
    expect(page).not.toMatch(/@import|url\(/i);
    expect(page).toMatch(/<meta http-equiv="refresh" content="10" ?\/?>/);
    // The only absolute URL is the ticket link (a navigation a person chooses, not a load).
    const absolute = [...page.matchAll(/(?:src|href)="(https?:[^"]*)"/g)].map((m) => m[1]);
    expect(absolute).toEqual(['https://jira.example.com/browse/OPS-12']);
    expect(page).not.toMatch(/\ssrc=/);
    expect(STATUS_PAGE_CSP).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
  });

  it('shows each section with its rows, relative times and the exact UTC instant in a title', () => {
    const text = visibleText(renderStatusPage(fixtureModel()));
    for (const heading of [
      'Crew',
      'Open incidents',
      'Locks',
      'Silences',
      'SLO budgets',
      'Last reports',
    ])
      expect(text).toContain(heading);
    expect(text).toContain('INC-20261207-001-0001');
    expect(text).toContain('OPS-12');
    expect(text).toContain('2 min ago');
    expect(text).toContain('in 42 s');
    expect(text).toContain('42%');
    expect(text).toContain('2.5×');
    expect(text).toContain('crew 1/2 alive');
    // Each agent's replicas: fresh/total, one chip each, the stale ones marked.
    expect(text).toContain('1/1');
    expect(text).toContain('atlas-0');
    expect(text).toContain('0/2');
    expect(text).toContain('ops-monitor-1 (stale)');
    expect(text).toContain('As of 2026-12-07 01:00:00 UTC');
    const page = renderStatusPage(fixtureModel());
    expect(page).toContain(
      '<time datetime="2026-12-07T00:58:00.000Z" title="2026-12-07T00:58:00.000Z">2 min ago</time>',
    );
  });

  it('says so when a section is empty', () => {
    const empty = <T>() => bounded<T>([], 50);
    const text = visibleText(
      renderStatusPage(
        fixtureModel({
          crew: empty(),
          incidents: empty(),
          locks: empty(),
          silences: empty(),
          slos: empty(),
          reports: empty(),
        }),
      ),
    );
    for (const phrase of [
      'No agents configured.',
      'No open incidents.',
      'No locks held.',
      'No active silences.',
      'No SLOs defined.',
      'No reports yet.',
    ])
      expect(text).toContain(phrase);
    expect(text).not.toContain('<table');
  });

  it('says "not configured" for a section without a source, and why one is unavailable', () => {
    const text = visibleText(
      renderStatusPage(
        fixtureModel({
          silences: { status: 'not_configured' },
          slos: { status: 'not_configured' },
          locks: { status: 'unavailable', reason: 'no answer within 3 s <nats>' },
        }),
      ),
    );
    expect(text.match(/Not configured/g)).toHaveLength(2);
    expect(text).toContain('Unavailable: no answer within 3 s <nats>');
  });

  it('bounds the rows and says how many more there are', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), (total) => {
        const rows = Array.from({ length: total }, (_, i) => incidentRow(i + 1));
        const page = renderStatusPage(
          fixtureModel({ incidents: bounded(rows, STATUS_ROW_LIMITS.incidents) }),
        );
        const section = /<section id="incidents"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
        const shown = (section.match(/<tr>/g) ?? []).length - (total > 0 ? 1 : 0);
        expect(shown).toBe(Math.min(total, STATUS_ROW_LIMITS.incidents));
        const hidden = total - STATUS_ROW_LIMITS.incidents;
        if (hidden > 0) expect(visibleText(section)).toContain(`and ${hidden} more`);
        else expect(section).not.toContain('more');
      }),
      { numRuns: 40 },
    );
  });
});

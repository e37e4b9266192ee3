import { type JiraConfig } from '@opscrew/config';
import { DeliveryError, idempotencyLabel, type TicketDraft } from '@opscrew/ports';
import { LogCapture } from '../testing/log-capture';
import { type StubReply, stubFetch } from '../testing/stub-fetch';
import { checkAdf } from './adf.validator';
import { JiraTracker, jqlString } from './jira.tracker';

const TOKEN = 'fake-jira-token-unit-test';
const config: JiraConfig = {
  base_url: 'https://acme.atlassian.net/',
  email: 'bot@acme.example',
  api_token: TOKEN,
  project_key: 'OPS',
  issue_type: 'Bug',
  labels: ['auto-detected', 'ops-monitor'],
  priority_by_severity: { critical: 'Highest', high: 'High' },
  statuses: {
    todo: 'To Do',
    in_progress: 'In Progress',
    in_review: 'In Review',
    done: 'Done',
    escalated: 'Escalated',
  },
  timeout_ms: 200,
};
const basic = `Basic ${Buffer.from(`bot@acme.example:${TOKEN}`).toString('base64')}`;

const draft: TicketDraft = {
  idempotency_key: 'ticket:INC-20250131-001',
  incident_id: 'INC-20250131-001',
  summary: 'High error rate on checkout @everyone',
  severity: 'high',
  service: 'checkout',
  labels: ['payments team'],
  sections: [{ label: 'Symptom', text: 'error_rate_pct 12.5 > 5' }],
};

async function failure(
  replies: StubReply[],
  run: (t: JiraTracker) => Promise<unknown>,
): Promise<DeliveryError> {
  const { fetch } = stubFetch(replies);
  const error = await run(new JiraTracker({ config, fetch })).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof DeliveryError))
    throw new Error(`expected a DeliveryError, got ${String(error)}`);
  return error;
}

describe('JiraTracker (stubbed HTTP)', () => {
  const logs = new LogCapture();
  beforeEach(() => logs.start());
  afterEach(() => {
    // No log line of any test may carry the token or the Basic credentials.
    expect(logs.text()).not.toContain(TOKEN);
    expect(logs.text()).not.toContain(basic.slice(6));
    logs.stop();
  });

  it('creates with the documented body: project, issuetype, summary, ADF, labels, priority', async () => {
    const { fetch, calls } = stubFetch([
      { status: 201, body: { id: '10001', key: 'OPS-1', self: 'x' } },
    ]);
    const ticket = await new JiraTracker({ config, fetch }).create(draft);
    expect(ticket).toMatchObject({
      key: 'OPS-1',
      status: 'todo',
      url: 'https://acme.atlassian.net/browse/OPS-1',
    });
    const call = calls[0];
    expect(call?.url).toBe('https://acme.atlassian.net/rest/api/3/issue');
    expect(call?.method).toBe('POST');
    expect(call?.headers['authorization']).toBe(basic);
    const fields = (call?.body as { fields: Record<string, unknown> }).fields;
    expect(fields['project']).toEqual({ key: 'OPS' });
    expect(fields['issuetype']).toEqual({ name: 'Bug' });
    expect(fields['priority']).toEqual({ name: 'High' });
    expect(fields['summary']).toBe('High error rate on checkout @\u200Beveryone');
    expect(fields['labels']).toEqual([
      'auto-detected',
      'ops-monitor',
      'payments-team',
      idempotencyLabel(draft.idempotency_key),
      'opscrew-incident-INC-20250131-001',
    ]);
    expect(checkAdf(fields['description'])).toEqual([]);
  });

  it('looks the idempotency label up with POST /search/jql and explicit fields', async () => {
    const { fetch, calls } = stubFetch([
      {
        status: 200,
        body: {
          issues: [
            {
              id: '10001',
              key: 'OPS-1',
              fields: {
                summary: 's',
                status: { name: 'In Review' },
                labels: ['opscrew-incident-INC-1'],
              },
            },
          ],
          isLast: true,
        },
      },
    ]);
    const found = await new JiraTracker({ config, fetch }).findByIdempotencyKey(
      draft.idempotency_key,
    );
    expect(found).toMatchObject({ key: 'OPS-1', status: 'in_review', incident_id: 'INC-1' });
    expect(calls[0]?.url).toBe('https://acme.atlassian.net/rest/api/3/search/jql');
    expect(calls[0]?.body).toEqual({
      jql: `project = "OPS" AND labels = "${idempotencyLabel(draft.idempotency_key)}" ORDER BY created ASC`,
      fields: ['summary', 'status', 'labels'],
      maxResults: 5,
    });
  });

  it('maps 429 and 503 with Retry-After to retryable errors with retryAfterMs', async () => {
    const rateLimited = await failure(
      [
        {
          status: 429,
          headers: { 'retry-after': '7' },
          body: { errorMessages: ['Rate limit exceeded'] },
        },
      ],
      (t) => t.create(draft),
    );
    expect(rateLimited).toMatchObject({ retryable: true, retryAfterMs: 7000, status: 429 });
    expect(rateLimited.message).toContain('Rate limit exceeded');
    const unavailable = await failure([{ status: 503, headers: { 'retry-after': '2' } }], (t) =>
      t.create(draft),
    );
    expect(unavailable).toMatchObject({ retryable: true, retryAfterMs: 2000, status: 503 });
  });

  it('maps other 5xx to retryable and 4xx to final, with Jira errorMessages/errors', async () => {
    expect(await failure([{ status: 500, body: {} }], (t) => t.create(draft))).toMatchObject({
      retryable: true,
      status: 500,
    });
    const bad = await failure(
      [
        {
          status: 400,
          body: {
            errorMessages: ['Bad thing'],
            errors: { summary: 'You must specify a summary of the issue.' },
          },
        },
      ],
      (t) => t.create(draft),
    );
    expect(bad).toMatchObject({ retryable: false, status: 400 });
    expect(bad.message).toBe(
      'jira POST /rest/api/3/issue: HTTP 400: Bad thing; summary: You must specify a summary of the issue.',
    );
    for (const status of [401, 403, 404]) {
      expect(
        await failure([{ status, body: { errorMessages: ['no'] } }], (t) => t.create(draft)),
      ).toMatchObject({
        retryable: false,
        status,
      });
    }
  });

  it('maps timeouts and network errors to retryable errors without a status (ambiguous)', async () => {
    const timeout = await failure([{ hang: true }], (t) => t.create(draft));
    expect(timeout).toMatchObject({ retryable: true, status: undefined });
    expect(timeout.message).toBe('jira POST /rest/api/3/issue: timed out after 200 ms');
    const network = await failure(
      [
        {
          error: new TypeError('fetch failed', {
            cause: new Error(`connect ECONNREFUSED ${basic} ${TOKEN}`),
          }),
        },
      ],
      (t) => t.create(draft),
    );
    expect(network).toMatchObject({ retryable: true, status: undefined });
    expect(network.message).not.toContain(TOKEN);
    expect(String((network as Error & { cause?: unknown }).cause)).not.toContain(TOKEN);
    expect(String((network as Error & { cause?: unknown }).cause)).not.toContain(basic.slice(6));
  });

  it('never lets the token into an error, even when Jira echoes it', async () => {
    const echoed = await failure(
      [{ status: 400, body: { errorMessages: [`bad token ${TOKEN}`] } }],
      (t) => t.create(draft),
    );
    expect(echoed.message).not.toContain(TOKEN);
    expect(echoed.message).toContain('[REDACTED:');
  });

  it('transitions by target status name (not id), and is a no-op when already there', async () => {
    const issue = (status: string): StubReply => ({
      status: 200,
      body: {
        key: 'OPS-1',
        fields: { status: { id: '1', name: status }, issuetype: { id: '10001' } },
      },
    });
    const transitions: StubReply = {
      status: 200,
      body: {
        transitions: [
          { id: '931', name: 'Request review', to: { name: 'In Review' } },
          { id: '921', name: 'Start', to: { name: 'In Progress' } },
        ],
      },
    };
    const { fetch, calls } = stubFetch([
      issue('To Do'),
      transitions,
      { status: 204 },
      issue('To Do'),
      { status: 204 },
      issue('In Progress'),
    ]);
    const tracker = new JiraTracker({ config, fetch });
    await tracker.transition('OPS-1', 'in_progress', 'Runbook started');
    expect(calls.map((c) => `${c.method} ${c.url.replace(config.base_url, '/')}`)).toEqual([
      'GET /rest/api/3/issue/OPS-1?fields=status,issuetype',
      'GET /rest/api/3/issue/OPS-1/transitions',
      'POST /rest/api/3/issue/OPS-1/transitions',
    ]);
    const body = calls[2]?.body as {
      transition: { id: string };
      update: { comment: { add: { body: unknown } }[] };
    };
    expect(body.transition).toEqual({ id: '921' });
    expect(checkAdf(body.update.comment[0]?.add.body)).toEqual([]);
    // Second transition from the same status/type: the transition list comes from the cache.
    await tracker.transition('OPS-1', 'in_progress');
    expect(calls).toHaveLength(5);
    // Already in progress: nothing is posted.
    await tracker.transition('OPS-1', 'in_progress');
    expect(calls).toHaveLength(6);
  });

  it('makes a conditional transition (only_from) only from a listed status, else posts nothing', async () => {
    const issue = (status: string): StubReply => ({
      status: 200,
      body: {
        key: 'OPS-1',
        fields: { status: { id: status, name: status }, issuetype: { id: '10001' } },
      },
    });
    const { fetch, calls } = stubFetch([
      issue('Escalated'),
      issue(' done '),
      {
        status: 200,
        body: { transitions: [{ id: '11', name: 'Reopen', to: { name: 'To Do' } }] },
      },
      { status: 204 },
    ]);
    const tracker = new JiraTracker({ config, fetch });
    const reopen = { idempotency_key: 'transition:INC-1:reopen:r1', only_from: ['done'] as const };
    // A person took the ticket: not Done, so no transition list, no POST, and no error.
    await tracker.transition('OPS-1', 'todo', 'Incident recurred', reopen);
    expect(calls.map((c) => c.method)).toEqual(['GET']);
    // Done (the name compared as the other lookups do: trimmed, any case): reopened.
    await tracker.transition('OPS-1', 'todo', 'Incident recurred', reopen);
    expect(calls.map((c) => `${c.method} ${c.url.replace(config.base_url, '/')}`)).toEqual([
      'GET /rest/api/3/issue/OPS-1?fields=status,issuetype',
      'GET /rest/api/3/issue/OPS-1?fields=status,issuetype',
      'GET /rest/api/3/issue/OPS-1/transitions',
      'POST /rest/api/3/issue/OPS-1/transitions',
    ]);
    expect((calls[3]?.body as { transition: unknown }).transition).toEqual({ id: '11' });
  });

  it('refuses a transition the workflow does not offer, as a final error', async () => {
    const error = await failure(
      [
        {
          status: 200,
          body: {
            key: 'OPS-1',
            fields: { status: { id: '1', name: 'To Do' }, issuetype: { id: '1' } },
          },
        },
        {
          status: 200,
          body: { transitions: [{ id: '5', name: 'Start', to: { name: 'In Progress' } }] },
        },
      ],
      (t) => t.transition('OPS-1', 'done'),
    );
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('no transition to "Done"');
  });

  it('skips a comment already posted with the same idempotency key', async () => {
    const { fetch, calls } = stubFetch([
      {
        status: 200,
        body: {
          comments: [
            {
              body: {
                type: 'doc',
                version: 1,
                content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x' }] }],
              },
            },
          ],
        },
      },
      { status: 201, body: { id: '1' } },
    ]);
    const tracker = new JiraTracker({ config, fetch });
    await tracker.comment('OPS-1', 'hello', { idempotency_key: 'comment:1' });
    expect(calls).toHaveLength(2);
    const posted = (calls[1]?.body as { body: unknown }).body;
    const { fetch: fetch2, calls: calls2 } = stubFetch([
      { status: 200, body: { comments: [{ body: posted }] } },
    ]);
    await new JiraTracker({ config, fetch: fetch2 }).comment('OPS-1', 'hello', {
      idempotency_key: 'comment:1',
    });
    expect(calls2).toHaveLength(1);
  });

  it('quotes JQL strings', () => {
    expect(jqlString('a "b" \\ c')).toBe('"a \\"b\\" \\\\ c"');
  });
});

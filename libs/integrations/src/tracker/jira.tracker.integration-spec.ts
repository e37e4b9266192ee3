import { type JiraConfig } from '@opscrew/config';
import { errorMessage } from '@opscrew/contracts';
import { DeliveryError, idempotencyLabel, type TicketDraft } from '@opscrew/ports';
import { jestTimeout } from '@opscrew/testing';
import { JiraContractServer } from '../testing/jira-contract.server';
import { LogCapture } from '../testing/log-capture';
import { verifyCalls } from '../testing/request-expectations';
import { adfPlainText } from './adf.builder';
import { JiraTracker } from './jira.tracker';

jest.setTimeout(jestTimeout(30_000));

const EMAIL = 'bot@acme.example';
const TOKEN = 'fake-jira-token-contract-test';

const draft = (n: number): TicketDraft => ({
  idempotency_key: `ticket:INC-20250131-${String(n).padStart(3, '0')}`,
  incident_id: `INC-20250131-${String(n).padStart(3, '0')}`,
  summary: `High error rate on checkout ${n}`,
  severity: 'critical',
  service: 'checkout',
  labels: ['auto-detected'],
  sections: [
    { label: 'Detected at', text: '2025-01-31T12:00:00Z' },
    { label: 'Symptom', text: 'error_rate_pct 12.5 (threshold 5)' },
    { label: 'Trace', text: 'trace 4bf92f35', href: 'https://signoz.example.com/trace/4bf92f35' },
    { label: 'Log line', text: '@everyone see https://evil.com <@&123>' },
  ],
});

describe('JiraTracker against the Jira contract server', () => {
  const server = new JiraContractServer({ email: EMAIL, apiToken: TOKEN, transitionIdBase: 701 });
  const logs = new LogCapture();
  let config: JiraConfig;
  let tracker: JiraTracker;

  beforeAll(async () => {
    await server.start();
    config = {
      base_url: server.baseUrl,
      email: EMAIL,
      api_token: TOKEN,
      project_key: 'OPS',
      issue_type: 'Bug',
      labels: ['auto-detected', 'ops-monitor'],
      priority_by_severity: {
        critical: 'Highest',
        high: 'High',
        medium: 'Medium',
        low: 'Low',
        info: 'Lowest',
      },
      statuses: {
        todo: 'To Do',
        in_progress: 'In Progress',
        in_review: 'In Review',
        done: 'Done',
        escalated: 'Escalated',
      },
      timeout_ms: 300,
    };
    tracker = new JiraTracker({ config });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
    server.faults.clear();
    logs.start();
  });
  afterEach(() => {
    expect(logs.text()).not.toContain(TOKEN);
    logs.stop();
  });

  it('creates, finds by label, transitions by status name and comments — exactly these requests', async () => {
    const t0 = Date.now();
    expect(await tracker.findByIdempotencyKey(draft(1).idempotency_key)).toBeNull();
    const ticket = await tracker.create(draft(1));
    expect(await tracker.findByIdempotencyKey(draft(1).idempotency_key)).toMatchObject({
      key: ticket.key,
      status: 'todo',
      incident_id: 'INC-20250131-001',
    });
    await tracker.transition(ticket.key, 'in_progress', 'runbook started');
    await tracker.transition(ticket.key, 'in_review');
    await tracker.transition(ticket.key, 'in_review');
    await tracker.comment(ticket.key, 'verification passed @here', {
      idempotency_key: 'comment:1',
    });
    await tracker.comment(ticket.key, 'verification passed @here', {
      idempotency_key: 'comment:1',
    });
    await tracker.transition(ticket.key, 'done');
    expect(await tracker.get(ticket.key)).toMatchObject({ status: 'done' });
    const issue = server.issues.get(ticket.key);
    expect(issue?.labels).toContain(idempotencyLabel(draft(1).idempotency_key));
    expect(issue?.comments).toHaveLength(2);
    expect(adfPlainText(issue?.comments[1]?.body)).toContain('verification passed @\u200Bhere');
    expect(JSON.stringify(issue?.description)).toContain(
      '"href":"https://signoz.example.com/trace/4bf92f35"',
    );
    expect(adfPlainText(issue?.description)).toContain('@\u200Beveryone see hxxps://evil[.]com');
    const within: [number, number] = [0, 10_000];
    expect(
      verifyCalls(
        server.requests,
        [
          {
            label: 'lookup before create',
            operation: 'searchAndReconsileIssuesUsingJqlPost',
            count: 2,
            between: within,
          },
          { label: 'create', operation: 'createIssue', between: within },
          {
            label: 'read status (4 transitions + 1 get)',
            operation: 'getIssue',
            count: 5,
            between: within,
          },
          // One lookup per (issue type, status): To Do, In Progress, In Review.
          { label: 'transition lookup', operation: 'getTransitions', count: 3, between: within },
          { label: 'transitions', operation: 'doTransition', count: 3, between: within },
          { label: 'comment lookup', operation: 'getComments', count: 2, between: within },
          { label: 'comment', operation: 'addComment', count: 1, between: within },
        ],
        t0,
      ),
    ).toEqual([]);
    // Every request was valid against Atlassian's spec and authenticated.
    expect(server.requests.every((r) => r.status < 400)).toBe(true);
    const transitionIds = server
      .requestsFor('doTransition')
      .map((r) => (r.body as { transition: { id: string } }).transition.id);
    expect(transitionIds).toEqual(['711', '721', '731']);
  });

  it('refuses bad credentials (401, final) without leaking the token', async () => {
    const wrong = new JiraTracker({ config: { ...config, api_token: 'wrong-token-value' } });
    const error = await wrong.create(draft(2)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, status: 401 });
    expect(errorMessage(error)).not.toContain('wrong-token-value');
  });

  it('surfaces Jira field errors as final errors', async () => {
    const badProject = new JiraTracker({ config: { ...config, project_key: 'NOPE' } });
    const error = (await badProject.create(draft(3)).catch((err: unknown) => err)) as DeliveryError;
    expect(error).toMatchObject({ retryable: false, status: 400 });
    expect(error.message).toContain('project: valid project is required');
  });

  it('maps scripted 429 (Retry-After) and 500 to retryable errors', async () => {
    server.faults
      .add({
        operation: 'createIssue',
        times: 1,
        action: {
          kind: 'respond',
          status: 429,
          headers: { 'retry-after': '2' },
          body: { errorMessages: ['Rate limit exceeded.'] },
        },
      })
      .add({
        operation: 'createIssue',
        times: 1,
        action: {
          kind: 'respond',
          status: 500,
          body: { errorMessages: ['Internal server error'] },
        },
      });
    await expect(tracker.create(draft(4))).rejects.toMatchObject({
      retryable: true,
      retryAfterMs: 2000,
      status: 429,
    });
    await expect(tracker.create(draft(4))).rejects.toMatchObject({ retryable: true, status: 500 });
    expect(server.issuesWithLabel(idempotencyLabel(draft(4).idempotency_key))).toHaveLength(0);
  });

  it('times out on a create Jira completed: the retry finds it by label', async () => {
    server.faults.add({
      operation: 'createIssue',
      times: 1,
      action: { kind: 'timeout-after-success', ms: 1000 },
    });
    const error = (await tracker.create(draft(5)).catch((err: unknown) => err)) as DeliveryError;
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(error.message).toContain('timed out after 300 ms');
    const found = await tracker.findByIdempotencyKey(draft(5).idempotency_key);
    expect(found).not.toBeNull();
    expect(server.issuesWithLabel(idempotencyLabel(draft(5).idempotency_key))).toHaveLength(1);
  });

  it('the contract server answers 410 on the removed /search and 400 on spec violations', async () => {
    const auth = `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`;
    const gone = await fetch(`${server.baseUrl}/rest/api/3/search`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ jql: 'project = OPS' }),
    });
    expect(gone.status).toBe(410);
    const invalid = await fetch(`${server.baseUrl}/rest/api/3/search/jql`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ jql: 'project = OPS', maxResults: 'ten' }),
    });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(await invalid.json())).toContain('maxResults');
    const idsOnly = await fetch(`${server.baseUrl}/rest/api/3/search/jql`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ jql: 'project = OPS' }),
    });
    const body = (await idsOnly.json()) as { issues: Record<string, unknown>[] };
    expect(body.issues.length).toBeGreaterThan(0);
    expect(body.issues.every((i) => Object.keys(i).join() === 'id')).toBe(true);
    const badAdf = await fetch(`${server.baseUrl}/rest/api/3/issue`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        fields: {
          project: { key: 'OPS' },
          issuetype: { name: 'Bug' },
          summary: 's',
          description: 'not adf',
        },
      }),
    });
    expect(badAdf.status).toBe(400);
    expect(JSON.stringify(await badAdf.json())).toContain('Atlassian Document');
  });
});

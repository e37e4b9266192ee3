import { type IncomingMessage } from 'node:http';
import { checkAdf } from '../tracker/adf.validator';
import { type ContractResponse, ContractHttpServer } from './contract-http.server';
import { OpenApiRequestValidator, type SpecRequest } from './openapi-request.validator';
import { JIRA_SPEC_PATH } from './spec-paths';

export interface JiraStatusDef {
  readonly id: string;
  readonly name: string;
  readonly category: 'new' | 'indeterminate' | 'done';
}

export interface JiraContractOptions {
  readonly email: string;
  readonly apiToken: string;
  readonly projectKey?: string;
  readonly issueTypes?: readonly string[];
  readonly priorities?: readonly string[];
  /** The workflow's statuses; the first is where new issues start. */
  readonly statuses?: readonly JiraStatusDef[];
  /** Transition ids are `<base + 10 × status index>`: not the seed's 11/21/31, on purpose. */
  readonly transitionIdBase?: number;
  readonly specPath?: string;
}

export interface JiraIssueState {
  readonly id: string;
  readonly key: string;
  readonly created: number;
  summary: string;
  labels: string[];
  status: JiraStatusDef;
  readonly issuetype: { id: string; name: string };
  readonly priority?: { name: string };
  readonly description: unknown;
  readonly comments: { id: string; body: unknown; created: string }[];
}

const DEFAULT_STATUSES: readonly JiraStatusDef[] = [
  { id: '10000', name: 'To Do', category: 'new' },
  { id: '3', name: 'In Progress', category: 'indeterminate' },
  { id: '10001', name: 'In Review', category: 'indeterminate' },
  { id: '10002', name: 'Done', category: 'done' },
  { id: '10003', name: 'Escalated', category: 'indeterminate' },
];

/** Transition names differ from status names (as in real workflows): lookups must use `to.name`. */
const TRANSITION_VERBS: Readonly<Record<string, string>> = {
  'To Do': 'Back to backlog',
  'In Progress': 'Start work',
  'In Review': 'Request review',
  Done: 'Resolve',
  Escalated: 'Escalate to human',
};

const FIELD_NAMES = [
  'summary',
  'status',
  'labels',
  'issuetype',
  'priority',
  'description',
  'project',
  'created',
];

/**
 * A Jira Cloud REST v3 stand-in that behaves like the published API for what
 * opscrew uses: Basic auth, create (201 {id,key,self}), get, transitions by
 * id with lookup (204), comments (201), JQL search on /search/jql (ids only
 * unless `fields` is given), the old /search answering 410 Gone, and errors
 * as `{errorMessages, errors}`. Every request is checked against Atlassian's
 * OpenAPI document; ADF bodies (untyped in the spec) are checked by shape.
 */
export class JiraContractServer extends ContractHttpServer {
  readonly issues = new Map<string, JiraIssueState>();
  private counter = 0;
  private commentCounter = 0;
  private readonly projectKey: string;
  private readonly issueTypes: readonly string[];
  private readonly priorities: readonly string[];
  private readonly statuses: readonly JiraStatusDef[];
  private readonly transitionIdBase: number;

  constructor(private readonly options: JiraContractOptions) {
    super();
    this.projectKey = options.projectKey ?? 'OPS';
    this.issueTypes = options.issueTypes ?? ['Bug', 'Task'];
    this.priorities = options.priorities ?? ['Highest', 'High', 'Medium', 'Low', 'Lowest'];
    this.statuses = options.statuses ?? DEFAULT_STATUSES;
    this.transitionIdBase = options.transitionIdBase ?? 101;
  }

  get baseUrl(): string {
    return this.origin;
  }

  override reset(): void {
    super.reset();
    this.issues.clear();
  }

  /** Issues carrying a label (in creation order). */
  issuesWithLabel(label: string): JiraIssueState[] {
    return [...this.issues.values()].filter((i) => i.labels.includes(label));
  }

  protected loadValidator(): Promise<OpenApiRequestValidator> {
    return OpenApiRequestValidator.load(this.options.specPath ?? JIRA_SPEC_PATH);
  }

  protected override warmupRequests(): SpecRequest[] {
    const json = { 'content-type': 'application/json' };
    const doc = { type: 'doc', version: 1, content: [] };
    return [
      {
        method: 'POST',
        path: '/rest/api/3/issue',
        query: {},
        headers: json,
        body: { fields: { summary: 'w' } },
      },
      {
        method: 'POST',
        path: '/rest/api/3/search/jql',
        query: {},
        headers: json,
        body: { jql: 'project = OPS' },
      },
      {
        method: 'GET',
        path: '/rest/api/3/issue/OPS-1',
        query: { fields: 'status' },
        headers: {},
        body: undefined,
      },
      {
        method: 'GET',
        path: '/rest/api/3/issue/OPS-1/transitions',
        query: {},
        headers: {},
        body: undefined,
      },
      {
        method: 'POST',
        path: '/rest/api/3/issue/OPS-1/transitions',
        query: {},
        headers: json,
        body: { transition: { id: '1' } },
      },
      {
        method: 'GET',
        path: '/rest/api/3/issue/OPS-1/comment',
        query: {},
        headers: {},
        body: undefined,
      },
      {
        method: 'POST',
        path: '/rest/api/3/issue/OPS-1/comment',
        query: {},
        headers: json,
        body: { body: doc },
      },
    ];
  }

  protected authenticate(req: IncomingMessage): ContractResponse | null {
    const expected = `Basic ${Buffer.from(`${this.options.email}:${this.options.apiToken}`).toString('base64')}`;
    if (req.headers.authorization === expected) return null;
    return {
      status: 401,
      headers: { 'www-authenticate': 'Basic realm="protected-area"' },
      body: {
        errorMessages: ['Client must be authenticated to access this resource.'],
        errors: {},
      },
    };
  }

  protected specError(status: 400 | 404, reason: string): ContractResponse {
    return { status, body: { errorMessages: [reason], errors: {} } };
  }

  protected malformedBody(reason: string): ContractResponse {
    return {
      status: 400,
      body: { errorMessages: [`Unexpected character in JSON body: ${reason}`], errors: {} },
    };
  }

  protected handle(
    operationId: string,
    params: Record<string, string>,
    request: SpecRequest,
  ): ContractResponse {
    switch (operationId) {
      case 'createIssue':
        return this.createIssue(request.body);
      case 'getIssue':
        return this.getIssue(params['issueIdOrKey'] ?? '', request.query['fields']);
      case 'getTransitions':
        return this.withIssue(params, (issue) => ({
          status: 200,
          body: { expand: 'transitions', transitions: this.transitionsFrom(issue.status) },
        }));
      case 'doTransition':
        return this.withIssue(params, (issue) => this.doTransition(issue, request.body));
      case 'addComment':
        return this.withIssue(params, (issue) =>
          this.addComment(issue, (request.body as { body?: unknown }).body),
        );
      case 'getComments':
        return this.withIssue(params, (issue) => this.getComments(issue, request.query));
      case 'searchAndReconsileIssuesUsingJqlPost':
        return this.search(request.body as SearchBody);
      case 'searchForIssuesUsingJql':
      case 'searchForIssuesUsingJqlPost':
        return {
          status: 410,
          body: {
            errorMessages: [
              'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.',
            ],
            errors: {},
          },
        };
      default:
        return {
          status: 501,
          body: {
            errorMessages: [`${operationId} is not served by the contract server`],
            errors: {},
          },
        };
    }
  }

  private createIssue(body: unknown): ContractResponse {
    const fields = (body as { fields?: Record<string, unknown> } | undefined)?.fields ?? {};
    const errors: Record<string, string> = {};
    const known = new Set(['project', 'issuetype', 'summary', 'description', 'labels', 'priority']);
    for (const name of Object.keys(fields)) {
      if (!known.has(name))
        errors[name] =
          `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
    const project = fields['project'] as { key?: unknown } | undefined;
    if (project?.key !== this.projectKey) errors['project'] = 'valid project is required';
    const issuetype = fields['issuetype'] as { name?: unknown } | undefined;
    const typeIndex = this.issueTypes.indexOf(String(issuetype?.name));
    if (typeIndex < 0) errors['issuetype'] = 'valid issue type is required';
    const summary = fields['summary'];
    if (typeof summary !== 'string' || summary.trim() === '') {
      errors['summary'] = 'You must specify a summary of the issue.';
    } else if (summary.length > 255) {
      errors['summary'] = 'Summary must be less than 255 characters.';
    } else if (/[\r\n]/.test(summary)) {
      errors['summary'] = 'The summary is invalid because it contains newline characters.';
    }
    if (fields['description'] !== undefined) {
      const problems = checkAdf(fields['description']);
      if (problems.length > 0) {
        errors['description'] =
          `Operation value must be an Atlassian Document (${problems.join('; ')})`;
      }
    }
    const labels = fields['labels'];
    if (labels !== undefined) {
      if (
        !Array.isArray(labels) ||
        labels.some(
          (l) => typeof l !== 'string' || /\s/.test(l) || l.length === 0 || l.length > 255,
        )
      ) {
        errors['labels'] = 'The label must not contain spaces and must be 1-255 characters.';
      }
    }
    const priority = fields['priority'] as { name?: unknown } | undefined;
    if (priority !== undefined && !this.priorities.includes(String(priority.name))) {
      errors['priority'] = `The priority selected is invalid.`;
    }
    if (Object.keys(errors).length > 0) return { status: 400, body: { errorMessages: [], errors } };
    this.counter += 1;
    const key = `${this.projectKey}-${this.counter}`;
    const id = String(10000 + this.counter);
    const first = this.statuses[0];
    if (first === undefined) throw new Error('jira contract server: no statuses');
    this.issues.set(key, {
      id,
      key,
      created: Date.now(),
      summary: summary as string,
      labels: [...((labels as string[] | undefined) ?? [])],
      status: first,
      issuetype: { id: String(10001 + typeIndex), name: this.issueTypes[typeIndex] ?? '' },
      ...(priority === undefined ? {} : { priority: { name: String(priority.name) } }),
      description: fields['description'],
      comments: [],
    });
    return { status: 201, body: { id, key, self: `${this.origin}/rest/api/3/issue/${id}` } };
  }

  private getIssue(idOrKey: string, fieldsParam: string | string[] | undefined): ContractResponse {
    const issue = this.find(idOrKey);
    if (issue === undefined) return notFound();
    const wanted = typeof fieldsParam === 'string' ? fieldsParam.split(',') : ['*all'];
    return { status: 200, body: this.issueBean(issue, wanted) };
  }

  private withIssue(
    params: Record<string, string>,
    run: (issue: JiraIssueState) => ContractResponse,
  ): ContractResponse {
    const issue = this.find(params['issueIdOrKey'] ?? '');
    return issue === undefined ? notFound() : run(issue);
  }

  private transitionsFrom(current: JiraStatusDef): unknown[] {
    return this.statuses
      .map((status, index) => ({ status, id: String(this.transitionIdBase + 10 * index) }))
      .filter(({ status }) => status.id !== current.id)
      .map(({ status, id }) => ({
        id,
        name: TRANSITION_VERBS[status.name] ?? `Move to ${status.name}`,
        to: this.statusBean(status),
        hasScreen: false,
        isGlobal: true,
        isInitial: false,
        isAvailable: true,
        isConditional: false,
        isLooped: false,
      }));
  }

  private doTransition(issue: JiraIssueState, body: unknown): ContractResponse {
    const request = body as {
      transition?: { id?: unknown };
      update?: { comment?: { add?: { body?: unknown } }[] };
    };
    const rawId = request.transition?.id;
    const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : '';
    const index = this.statuses.findIndex((_, i) => String(this.transitionIdBase + 10 * i) === id);
    const target = this.statuses[index];
    if (target === undefined || target.id === issue.status.id) {
      return {
        status: 400,
        body: { errorMessages: [`Transition id '${id}' is not valid for this issue.`], errors: {} },
      };
    }
    const comments = request.update?.comment ?? [];
    for (const op of comments) {
      const problems = checkAdf(op.add?.body);
      if (problems.length > 0) {
        return {
          status: 400,
          body: {
            errorMessages: [],
            errors: {
              comment: `Comment body must be an Atlassian Document (${problems.join('; ')})`,
            },
          },
        };
      }
    }
    for (const op of comments) this.pushComment(issue, op.add?.body);
    issue.status = target;
    return { status: 204 };
  }

  private addComment(issue: JiraIssueState, body: unknown): ContractResponse {
    const problems = checkAdf(body);
    if (problems.length > 0) {
      return {
        status: 400,
        body: {
          errorMessages: [],
          errors: { comment: `Comment body is not valid ADF (${problems.join('; ')})` },
        },
      };
    }
    const comment = this.pushComment(issue, body);
    return {
      status: 201,
      body: {
        ...comment,
        self: `${this.origin}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
        author: { accountId: 'opscrew-bot', displayName: 'opscrew' },
        updated: comment.created,
      },
    };
  }

  private getComments(
    issue: JiraIssueState,
    query: Readonly<Record<string, string | string[]>>,
  ): ContractResponse {
    const max = Number(query['maxResults'] ?? 50);
    const ordered =
      query['orderBy'] === '-created' ? [...issue.comments].reverse() : issue.comments;
    return {
      status: 200,
      body: {
        startAt: 0,
        maxResults: max,
        total: issue.comments.length,
        comments: ordered.slice(0, max),
      },
    };
  }

  private search(body: SearchBody): ContractResponse {
    let parsed: ParsedJql;
    try {
      parsed = parseJql(body.jql ?? '');
    } catch (err: unknown) {
      return {
        status: 400,
        body: { errorMessages: [`Error in the JQL Query: ${(err as Error).message}`], errors: {} },
      };
    }
    const matches = [...this.issues.values()]
      .filter((issue) => parsed.clauses.every((c) => this.matchesClause(issue, c.field, c.value)))
      .sort(
        (a, b) =>
          (parsed.descending ? b.created - a.created : a.created - b.created) ||
          Number(a.id) - Number(b.id),
      );
    const start =
      body.nextPageToken === undefined
        ? 0
        : Number(Buffer.from(body.nextPageToken, 'base64url').toString());
    const size = body.maxResults ?? 50;
    const page = matches.slice(start, start + size);
    const isLast = start + size >= matches.length;
    const fields = body.fields;
    return {
      status: 200,
      body: {
        // Without `fields`, /search/jql returns issue ids only.
        issues: page.map((issue) =>
          fields === undefined ? { id: issue.id } : this.issueBean(issue, fields),
        ),
        isLast,
        ...(isLast
          ? {}
          : { nextPageToken: Buffer.from(String(start + size)).toString('base64url') }),
      },
    };
  }

  private matchesClause(issue: JiraIssueState, field: string, value: string): boolean {
    switch (field) {
      case 'project':
        return value === this.projectKey;
      case 'labels':
        return issue.labels.includes(value);
      case 'status':
        return issue.status.name.toLowerCase() === value.toLowerCase();
      case 'key':
        return issue.key === value;
      case 'issuetype':
        return issue.issuetype.name === value;
      default:
        return false;
    }
  }

  private issueBean(issue: JiraIssueState, wanted: readonly string[]): Record<string, unknown> {
    const all: Record<string, unknown> = {
      summary: issue.summary,
      status: this.statusBean(issue.status),
      labels: issue.labels,
      issuetype: issue.issuetype,
      priority: issue.priority ?? null,
      description: issue.description ?? null,
      project: { key: this.projectKey },
      created: new Date(issue.created).toISOString(),
    };
    const names = wanted.includes('*all') || wanted.includes('*navigable') ? FIELD_NAMES : wanted;
    const fields: Record<string, unknown> = {};
    for (const name of names) if (name in all) fields[name] = all[name];
    return {
      id: issue.id,
      key: issue.key,
      self: `${this.origin}/rest/api/3/issue/${issue.id}`,
      fields,
    };
  }

  private statusBean(status: JiraStatusDef): Record<string, unknown> {
    return {
      self: `${this.origin}/rest/api/3/status/${status.id}`,
      id: status.id,
      name: status.name,
      statusCategory: { key: status.category, name: CATEGORY_NAMES[status.category] },
    };
  }

  private pushComment(
    issue: JiraIssueState,
    body: unknown,
  ): { id: string; body: unknown; created: string } {
    this.commentCounter += 1;
    const comment = {
      id: String(20000 + this.commentCounter),
      body,
      created: new Date().toISOString(),
    };
    issue.comments.push(comment);
    return comment;
  }

  private find(idOrKey: string): JiraIssueState | undefined {
    return this.issues.get(idOrKey) ?? [...this.issues.values()].find((i) => i.id === idOrKey);
  }
}

const CATEGORY_NAMES = { new: 'To Do', indeterminate: 'In Progress', done: 'Done' } as const;

interface SearchBody {
  jql?: string;
  fields?: string[];
  maxResults?: number;
  nextPageToken?: string;
}

interface ParsedJql {
  clauses: { field: string; value: string }[];
  descending: boolean;
}

const JQL_FIELDS = new Set(['project', 'labels', 'status', 'key', 'issuetype']);

/**
 * The JQL subset opscrew writes: `field = value` clauses joined by AND
 * (values bare or double-quoted with `\` escapes) and an optional
 * `ORDER BY created ASC|DESC`. Anything else is an error, as Jira would say.
 */
export function parseJql(jql: string): ParsedJql {
  const [where = '', order] = jql.split(/\s+ORDER\s+BY\s+/i);
  let descending = false;
  if (order !== undefined) {
    const m = /^created(?:\s+(ASC|DESC))?\s*$/i.exec(order.trim());
    if (m === null) throw new Error(`unsupported ORDER BY "${order}"`);
    descending = (m[1] ?? 'ASC').toUpperCase() === 'DESC';
  }
  const clauses: { field: string; value: string }[] = [];
  const clause = /\s*([A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)\s*(?:AND\b|$)/iy;
  let rest = where.trim();
  while (rest.length > 0) {
    clause.lastIndex = 0;
    const m = clause.exec(rest);
    if (m === null) throw new Error(`cannot parse "${rest}"`);
    const field = (m[1] ?? '').toLowerCase();
    if (!JQL_FIELDS.has(field))
      throw new Error(
        `Field '${m[1] ?? ''}' does not exist or you do not have permission to view it.`,
      );
    const raw = m[2] ?? '';
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    clauses.push({ field, value });
    rest = rest.slice(m[0].length).trim();
  }
  return { clauses, descending };
}

function notFound(): ContractResponse {
  return {
    status: 404,
    body: {
      errorMessages: ['Issue does not exist or you do not have permission to see it.'],
      errors: {},
    },
  };
}

// Over ~300 lines: test support: the Jira contract server's routes over one in-memory project; its checks
// (fields, JQL, search, workflow) are their own files.
import { type IncomingMessage } from 'node:http';
import { checkAdf } from '../tracker/adf.validator';
import { type ContractResponse, ContractHttpServer } from './contract-http.server';
import { checkCreateFields } from './jira-create-fields.check';
import { searchIssues, type SearchBody } from './jira-search';
import { JIRA_WARMUP_REQUESTS } from './jira-warmup.requests';
import { OpenApiValidator, type SpecRequest } from './openapi.validator';
import { JIRA_SPEC_PATH } from './spec-paths';
import {
  DEFAULT_STATUSES,
  issueBean,
  type JiraIssueState,
  type JiraStatusDef,
  transitionsFrom,
} from './jira-workflow';

export { type JiraIssueState, type JiraStatusDef } from './jira-workflow';
export { parseJql } from './jira-jql';

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

  protected loadValidator(): Promise<OpenApiValidator> {
    return OpenApiValidator.load(this.options.specPath ?? JIRA_SPEC_PATH);
  }

  protected override warmupRequests(): SpecRequest[] {
    return JIRA_WARMUP_REQUESTS;
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
          body: {
            expand: 'transitions',
            transitions: transitionsFrom(
              this.origin,
              this.statuses,
              this.transitionIdBase,
              issue.status,
            ),
          },
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
        return searchIssues(
          this.issues.values(),
          request.body as SearchBody,
          this.origin,
          this.projectKey,
        );
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
    const errors = checkCreateFields(fields, {
      projectKey: this.projectKey,
      issueTypes: this.issueTypes,
      priorities: this.priorities,
    });
    const summary = fields['summary'];
    const labels = fields['labels'];
    const priority = fields['priority'] as { name?: unknown } | undefined;
    const typeIndex = this.issueTypes.indexOf(
      String((fields['issuetype'] as { name?: unknown } | undefined)?.name),
    );
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
    return { status: 200, body: issueBean(this.origin, this.projectKey, issue, wanted) };
  }

  private withIssue(
    params: Record<string, string>,
    run: (issue: JiraIssueState) => ContractResponse,
  ): ContractResponse {
    const issue = this.find(params['issueIdOrKey'] ?? '');
    return issue === undefined ? notFound() : run(issue);
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

function notFound(): ContractResponse {
  return {
    status: 404,
    body: {
      errorMessages: ['Issue does not exist or you do not have permission to see it.'],
      errors: {},
    },
  };
}

import { errorMessage } from '@opscrew/contracts';
import { type ContractResponse } from './contract-http.server';
import { parseJql, type ParsedJql } from './jira-jql';
import { issueBean, type JiraIssueState } from './jira-workflow';

/** The body of `POST /rest/api/3/search/jql`. */
export interface SearchBody {
  jql?: string;
  fields?: string[];
  maxResults?: number;
  nextPageToken?: string;
}

/**
 * `POST /rest/api/3/search/jql` as Jira answers it: the JQL subset opscrew writes, pages by
 * `nextPageToken`, and issue ids only unless `fields` is given.
 */
export function searchIssues(
  issues: Iterable<JiraIssueState>,
  body: SearchBody,
  origin: string,
  projectKey: string,
): ContractResponse {
  let parsed: ParsedJql;
  try {
    parsed = parseJql(body.jql ?? '');
  } catch (err: unknown) {
    return {
      status: 400,
      body: { errorMessages: [`Error in the JQL Query: ${errorMessage(err)}`], errors: {} },
    };
  }
  const matches = [...issues]
    .filter((issue) =>
      parsed.clauses.every((c) => matchesClause(issue, c.field, c.value, projectKey)),
    )
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
        fields === undefined ? { id: issue.id } : issueBean(origin, projectKey, issue, fields),
      ),
      isLast,
      ...(isLast ? {} : { nextPageToken: Buffer.from(String(start + size)).toString('base64url') }),
    },
  };
}

function matchesClause(
  issue: JiraIssueState,
  field: string,
  value: string,
  projectKey: string,
): boolean {
  switch (field) {
    case 'project':
      return value === projectKey;
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

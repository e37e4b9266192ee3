/** The Jira workflow the contract server plays: statuses, transition names, issue state. */

export interface JiraStatusDef {
  readonly id: string;
  readonly name: string;
  readonly category: 'new' | 'indeterminate' | 'done';
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

export const DEFAULT_STATUSES: readonly JiraStatusDef[] = [
  { id: '10000', name: 'To Do', category: 'new' },
  { id: '3', name: 'In Progress', category: 'indeterminate' },
  { id: '10001', name: 'In Review', category: 'indeterminate' },
  { id: '10002', name: 'Done', category: 'done' },
  { id: '10003', name: 'Escalated', category: 'indeterminate' },
];

/** Transition names differ from status names (as in real workflows): lookups must use `to.name`. */
export const TRANSITION_VERBS: Readonly<Record<string, string>> = {
  'To Do': 'Back to backlog',
  'In Progress': 'Start work',
  'In Review': 'Request review',
  Done: 'Resolve',
  Escalated: 'Escalate to human',
};

export const FIELD_NAMES = [
  'summary',
  'status',
  'labels',
  'issuetype',
  'priority',
  'description',
  'project',
  'created',
];

const CATEGORY_NAMES = { new: 'To Do', indeterminate: 'In Progress', done: 'Done' } as const;

/** A status as Jira renders it in issue and transition beans. */
export function statusBean(origin: string, status: JiraStatusDef): Record<string, unknown> {
  return {
    self: `${origin}/rest/api/3/status/${status.id}`,
    id: status.id,
    name: status.name,
    statusCategory: { key: status.category, name: CATEGORY_NAMES[status.category] },
  };
}

/** The transitions Jira offers from `current`: one to every other status, ids `base + 10 × index`. */
export function transitionsFrom(
  origin: string,
  statuses: readonly JiraStatusDef[],
  base: number,
  current: JiraStatusDef,
): unknown[] {
  return statuses
    .map((status, index) => ({ status, id: String(base + 10 * index) }))
    .filter(({ status }) => status.id !== current.id)
    .map(({ status, id }) => ({
      id,
      name: TRANSITION_VERBS[status.name] ?? `Move to ${status.name}`,
      to: statusBean(origin, status),
      hasScreen: false,
      isGlobal: true,
      isInitial: false,
      isAvailable: true,
      isConditional: false,
      isLooped: false,
    }));
}

/** An issue bean with the `wanted` fields (`*all`/`*navigable`: every field served). */
export function issueBean(
  origin: string,
  projectKey: string,
  issue: JiraIssueState,
  wanted: readonly string[],
): Record<string, unknown> {
  const all: Record<string, unknown> = {
    summary: issue.summary,
    status: statusBean(origin, issue.status),
    labels: issue.labels,
    issuetype: issue.issuetype,
    priority: issue.priority ?? null,
    description: issue.description ?? null,
    project: { key: projectKey },
    created: new Date(issue.created).toISOString(),
  };
  const names = wanted.includes('*all') || wanted.includes('*navigable') ? FIELD_NAMES : wanted;
  const fields: Record<string, unknown> = {};
  for (const name of names) if (name in all) fields[name] = all[name];
  return { id: issue.id, key: issue.key, self: `${origin}/rest/api/3/issue/${issue.id}`, fields };
}

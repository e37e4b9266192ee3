/** A transition as Jira lists it: the id we POST, the status it leads to. */
export interface JiraTransition {
  readonly id: string;
  readonly name: string;
  readonly to_status: string;
}

/**
 * Transition lists per issue type and current status: workflows are per
 * project and issue type, and which transitions are offered depends on the
 * status the issue is in. Lists change only when an admin edits the workflow,
 * so entries live for 10 minutes and are dropped at once when Jira refuses an
 * id (the workflow changed under us).
 */
export const TRANSITION_CACHE_TTL_MS = 10 * 60 * 1000;

export class JiraTransitionCache {
  private readonly entries = new Map<
    string,
    { at: number; transitions: readonly JiraTransition[] }
  >();

  constructor(private readonly now: () => number = Date.now) {}

  get(issueTypeId: string, statusId: string): readonly JiraTransition[] | undefined {
    const key = `${issueTypeId}:${statusId}`;
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (this.now() - entry.at > TRANSITION_CACHE_TTL_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.transitions;
  }

  set(issueTypeId: string, statusId: string, transitions: readonly JiraTransition[]): void {
    this.entries.set(`${issueTypeId}:${statusId}`, { at: this.now(), transitions });
  }

  invalidate(issueTypeId: string, statusId: string): void {
    this.entries.delete(`${issueTypeId}:${statusId}`);
  }
}

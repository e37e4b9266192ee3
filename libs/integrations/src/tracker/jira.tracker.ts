// Over ~300 lines: the TrackerPort's six operations against Jira's REST v3 (idempotent create, workflow
// transitions, paged search); ADF and HTTP live in their own files.
import { Logger } from '@nestjs/common';
import { type JiraConfig } from '@opscrew/config';
import {
  commentMarker,
  DeliveryError,
  idempotencyLabel,
  INCIDENT_LABEL_PREFIX,
  labelToken,
  type Ticket,
  TICKET_STATUSES,
  type TicketDraft,
  type TicketStatus,
  type TrackerPort,
  type TrackerWriteOptions,
} from '@opscrew/ports';
import { deliveryErrorForStatus } from '../outbound/delivery-status';
import {
  type FetchLike,
  type OutboundResponse,
  redactorFor,
  sendOutbound,
} from '../outbound/outbound-http.client';
import { parseRetryAfterMs } from '../outbound/retry-after';
import { adfPlainText, buildTicketDescription, textToAdf } from './adf.builder';
import { jiraErrorDetail } from './jira-error.detail';
import { jiraSummary } from './jira-summary';
import { type JiraTransition, JiraTransitionCache } from './jira-transition.cache';

/** Issues per search page: Jira's maximum for /search/jql is 5000, 100 keeps pages small. */
const SEARCH_PAGE_SIZE = 100;
/** listByStatus reads at most 10 pages (1000 tickets): a backlog beyond that is a human's job. */
const SEARCH_MAX_PAGES = 10;
/** Comments read back to find a retried one: the newest 100 (ours are recent by construction). */
const COMMENT_LOOKBACK = 100;
const SEARCH_FIELDS = ['summary', 'status', 'labels'];

export interface JiraTrackerOptions {
  readonly config: JiraConfig;
  /** Injected in tests; defaults to Node's global fetch. */
  readonly fetch?: FetchLike;
}

interface JiraStatusField {
  id?: string;
  name?: string;
  statusCategory?: { key?: string };
}

interface JiraIssue {
  id?: string;
  key?: string;
  fields?: {
    summary?: string;
    status?: JiraStatusField;
    labels?: string[];
    issuetype?: { id?: string; name?: string };
  };
}

/**
 * Jira Cloud REST v3 tracker. Idempotency: the key is stored as a label
 * (`opscrew-idem-<hash>`) and searched (POST /search/jql, fields given) before
 * every create; comments end with a `opscrew ref <hash>` line that a retry
 * looks for. Transitions are looked up by target STATUS name (ids differ per
 * workflow) and are a no-op when the issue is already there.
 *
 * The API token goes only into the Authorization header; every error text is
 * passed through a redactor so neither it nor the header can leak into logs.
 */
export class JiraTracker implements TrackerPort {
  readonly kind = 'jira';
  private readonly logger = new Logger(JiraTracker.name);
  private readonly base: string;
  private readonly authorization: string;
  private readonly redact: (text: string) => string;
  private readonly transitions = new JiraTransitionCache();
  private readonly statusByName: ReadonlyMap<string, TicketStatus>;

  constructor(private readonly options: JiraTrackerOptions) {
    const { config } = options;
    this.base = config.base_url.replace(/\/+$/, '');
    const credentials = Buffer.from(`${config.email}:${config.api_token}`, 'utf8').toString(
      'base64',
    );
    this.authorization = `Basic ${credentials}`;
    this.redact = redactorFor([config.api_token, credentials]);
    this.statusByName = new Map(
      TICKET_STATUSES.map((status) => [config.statuses[status].toLowerCase(), status]),
    );
  }

  async findByIdempotencyKey(key: string): Promise<Ticket | null> {
    const jql = `project = ${jqlString(this.options.config.project_key)} AND labels = ${jqlString(
      idempotencyLabel(key),
    )} ORDER BY created ASC`;
    const { issues } = await this.search(jql, 5);
    if (issues.length > 1) {
      // Someone copied the label, or a past bug: the oldest is the original.
      this.logger.warn(`${issues.length} Jira issues carry the label of one idempotency key`);
    }
    const first = issues[0];
    return first === undefined ? null : this.toTicket(first);
  }

  async create(draft: TicketDraft): Promise<Ticket> {
    const { config } = this.options;
    const idemLabel = idempotencyLabel(draft.idempotency_key);
    const labels = uniqueLabels([
      ...config.labels,
      ...draft.labels,
      idemLabel,
      `${INCIDENT_LABEL_PREFIX}${draft.incident_id}`,
    ]);
    const summary = jiraSummary(draft.summary, draft.incident_id);
    const priority = config.priority_by_severity[draft.severity];
    const fields: Record<string, unknown> = {
      project: { key: config.project_key },
      issuetype: { name: config.issue_type },
      summary,
      description: buildTicketDescription(draft, idemLabel),
      labels,
      ...(priority === undefined ? {} : { priority: { name: priority } }),
    };
    const response = await this.call('POST', '/rest/api/3/issue', { fields });
    if (response.status !== 201 && response.status !== 200)
      throw this.failure('POST /rest/api/3/issue', response);
    const created = response.json as { key?: unknown } | undefined;
    if (typeof created?.key !== 'string') {
      // Created, but we cannot tell which issue: a retry finds it by its label.
      throw new DeliveryError('jira POST /rest/api/3/issue: 201 without an issue key', true);
    }
    return {
      key: created.key,
      status: 'todo',
      summary,
      incident_id: draft.incident_id,
      url: `${this.base}/browse/${created.key}`,
      labels,
    };
  }

  async get(key: string): Promise<Ticket | null> {
    const path = `/rest/api/3/issue/${encodeURIComponent(key)}?fields=${SEARCH_FIELDS.join(',')}`;
    const response = await this.call('GET', path);
    if (response.status === 404) return null;
    if (response.status !== 200) throw this.failure('GET /rest/api/3/issue/{key}', response);
    return this.toTicket(response.json as JiraIssue);
  }

  async transition(
    key: string,
    to: TicketStatus,
    comment?: string,
    options: TrackerWriteOptions = {},
  ): Promise<void> {
    const { statuses } = this.options.config;
    const target = statuses[to];
    const issuePath = `/rest/api/3/issue/${encodeURIComponent(key)}`;
    const issueResponse = await this.call('GET', `${issuePath}?fields=status,issuetype`);
    if (issueResponse.status !== 200)
      throw this.failure('GET /rest/api/3/issue/{key}', issueResponse);
    const issue = issueResponse.json as JiraIssue;
    const status = issue.fields?.status ?? {};
    if (sameName(status.name, target)) return; // Already there: a retried transition.
    if (
      options.only_from !== undefined &&
      !options.only_from.some((from) => sameName(status.name, statuses[from]))
    ) {
      return; // A conditional move whose condition no longer holds: a no-op, not a refusal.
    }
    const issueType = issue.fields?.issuetype?.id ?? issue.fields?.issuetype?.name ?? '?';
    const statusId = status.id ?? status.name ?? '?';
    for (let pass = 0; pass < 2; pass++) {
      const cached = pass === 0 ? this.transitions.get(issueType, statusId) : undefined;
      const available = cached ?? (await this.fetchTransitions(key));
      if (cached === undefined) this.transitions.set(issueType, statusId, available);
      const match =
        available.find((t) => sameName(t.to_status, target)) ??
        available.find((t) => sameName(t.name, target));
      if (match === undefined) {
        if (cached !== undefined) continue; // The workflow may have changed: refetch once.
        throw new DeliveryError(
          `jira: ${key} has no transition to "${target}" from "${status.name ?? '?'}" ` +
            `(available: ${available.map((t) => `${t.name} → ${t.to_status}`).join(', ') || 'none'})`,
          false,
        );
      }
      const body: Record<string, unknown> = { transition: { id: match.id } };
      if (comment !== undefined && comment.trim() !== '') {
        body['update'] = { comment: [{ add: { body: textToAdf(comment) } }] };
      }
      const response = await this.call('POST', `${issuePath}/transitions`, body);
      if (response.status === 204 || response.status === 200) return;
      if (response.status === 400 && cached !== undefined) {
        // A cached id Jira no longer accepts: the workflow changed; look it up again.
        this.transitions.invalidate(issueType, statusId);
        continue;
      }
      throw this.failure('POST /rest/api/3/issue/{key}/transitions', response);
    }
    throw new DeliveryError(`jira: ${key} could not be moved to "${target}"`, false);
  }

  async comment(key: string, text: string, options: TrackerWriteOptions = {}): Promise<void> {
    const path = `/rest/api/3/issue/${encodeURIComponent(key)}/comment`;
    const marker =
      options.idempotency_key === undefined ? undefined : commentMarker(options.idempotency_key);
    if (marker !== undefined && (await this.hasComment(path, marker))) return;
    const response = await this.call('POST', path, { body: textToAdf(text, marker) });
    if (response.status !== 201 && response.status !== 200) {
      throw this.failure('POST /rest/api/3/issue/{key}/comment', response);
    }
  }

  async listByStatus(status: TicketStatus, label: string): Promise<Ticket[]> {
    const { config } = this.options;
    const jql =
      `project = ${jqlString(config.project_key)} AND status = ${jqlString(config.statuses[status])} ` +
      `AND labels = ${jqlString(label)} ORDER BY created ASC`;
    const out: Ticket[] = [];
    let token: string | undefined;
    for (let page = 0; page < SEARCH_MAX_PAGES; page++) {
      const result = await this.search(jql, SEARCH_PAGE_SIZE, token);
      out.push(...result.issues.map((issue) => this.toTicket(issue)));
      if (result.next === undefined) return out;
      token = result.next;
    }
    this.logger.warn(`listByStatus(${status}, ${label}): stopped after ${SEARCH_MAX_PAGES} pages`);
    return out;
  }

  private async hasComment(path: string, marker: string): Promise<boolean> {
    const response = await this.call(
      'GET',
      `${path}?orderBy=-created&maxResults=${COMMENT_LOOKBACK}`,
    );
    if (response.status !== 200)
      throw this.failure('GET /rest/api/3/issue/{key}/comment', response);
    const comments = (response.json as { comments?: { body?: unknown }[] } | undefined)?.comments;
    return (comments ?? []).some((c) => adfPlainText(c.body).includes(marker));
  }

  private async fetchTransitions(key: string): Promise<JiraTransition[]> {
    const response = await this.call(
      'GET',
      `/rest/api/3/issue/${encodeURIComponent(key)}/transitions`,
    );
    if (response.status !== 200) {
      throw this.failure('GET /rest/api/3/issue/{key}/transitions', response);
    }
    const list = (response.json as { transitions?: unknown[] } | undefined)?.transitions ?? [];
    return list.flatMap((raw) => {
      const t = raw as { id?: unknown; name?: unknown; to?: { name?: unknown } };
      return typeof t.id === 'string'
        ? [{ id: t.id, name: text(t.name), to_status: text(t.to?.name) }]
        : [];
    });
  }

  /** POST /rest/api/3/search/jql with `fields` (without them Jira returns ids only). */
  private async search(
    jql: string,
    maxResults: number,
    nextPageToken?: string,
  ): Promise<{ issues: JiraIssue[]; next?: string }> {
    const body: Record<string, unknown> = { jql, fields: SEARCH_FIELDS, maxResults };
    if (nextPageToken !== undefined) body['nextPageToken'] = nextPageToken;
    const response = await this.call('POST', '/rest/api/3/search/jql', body);
    if (response.status !== 200) throw this.failure('POST /rest/api/3/search/jql', response);
    const result = response.json as
      { issues?: JiraIssue[]; nextPageToken?: unknown; isLast?: unknown } | undefined;
    const next =
      result?.isLast !== true && typeof result?.nextPageToken === 'string'
        ? result.nextPageToken
        : undefined;
    return { issues: result?.issues ?? [], ...(next === undefined ? {} : { next }) };
  }

  private call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<OutboundResponse> {
    const template = path.split('?')[0]?.replace(/\/issue\/[^/]+/, '/issue/{key}') ?? path;
    return sendOutbound(
      {
        method,
        url: `${this.base}${path}`,
        headers: { authorization: this.authorization },
        body,
        timeoutMs: this.options.config.timeout_ms,
      },
      {
        what: `jira ${method} ${template}`,
        redact: this.redact,
        ...(this.options.fetch === undefined ? {} : { fetch: this.options.fetch }),
      },
    );
  }

  private failure(what: string, response: OutboundResponse): DeliveryError {
    const detail = this.redact(jiraErrorDetail(response.json, response.text));
    const retryAfter = parseRetryAfterMs(response.headers.get('retry-after'));
    return deliveryErrorForStatus(`jira ${what}`, response.status, detail, retryAfter);
  }

  private toTicket(issue: JiraIssue): Ticket {
    const key = issue.key ?? issue.id ?? '?';
    const labels = issue.fields?.labels ?? [];
    const incidentLabel = labels.find((l) => l.startsWith(INCIDENT_LABEL_PREFIX));
    return {
      key,
      status: this.statusOf(issue.fields?.status),
      summary: issue.fields?.summary ?? '',
      incident_id: incidentLabel?.slice(INCIDENT_LABEL_PREFIX.length) ?? '',
      url: `${this.base}/browse/${key}`,
      labels,
    };
  }

  /** Configured status names first; otherwise Jira's status category (new / done / in between). */
  private statusOf(status: JiraStatusField | undefined): TicketStatus {
    const byName = this.statusByName.get((status?.name ?? '').toLowerCase());
    if (byName !== undefined) return byName;
    switch (status?.statusCategory?.key) {
      case 'new':
        return 'todo';
      case 'done':
        return 'done';
      default:
        return 'in_progress';
    }
  }
}

/** A JQL string literal: double-quoted, with `"` and `\` escaped. */
export function jqlString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function sameName(a: string | undefined, b: string): boolean {
  return a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function uniqueLabels(labels: readonly string[]): string[] {
  return [...new Set(labels.map(labelToken).filter((l) => l !== ''))];
}

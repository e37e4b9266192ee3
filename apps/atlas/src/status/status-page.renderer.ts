import { safeHref } from './html-escape';
import { html, type SafeHtml } from './html-template';
import { duration, relativeTime } from './relative-time';
import {
  type CrewReplica,
  type CrewRow,
  type IncidentRow,
  type LockRow,
  type StatusModel,
  type StatusSection,
} from './status-model';
import { type ReportView, type SilenceView, type SloView } from './status-sources';
import { STATUS_PAGE_STYLE } from './status-page.style';

/**
 * What the browser may do with the page: nothing but apply its own inline style. No script, no
 * image, no font, no connection anywhere (the page needs none: it reloads itself with a meta
 * refresh), no framing, no form posts.
 */
export const STATUS_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The status page, server-rendered from the model: one self-contained HTML document (inline
 * CSS, no script, no external asset) that refreshes itself. Every value from the system goes
 * through `html` (escaped); numbers are formatted here.
 */
export function renderStatusPage(model: StatusModel): string {
  const now = Date.parse(model.generated_at);
  const openIncidents = model.incidents.status === 'ok' ? model.incidents.total : null;
  const title =
    openIncidents === null
      ? 'opscrew status'
      : `opscrew status · ${openIncidents === 0 ? 'no' : openIncidents} open incident${openIncidents === 1 ? '' : 's'}`;
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="dark light" />
        <meta http-equiv="refresh" content="${model.refresh_s}" />
        <title>${title}</title>
        <style>
          ${STATUS_PAGE_STYLE}
        </style>
      </head>
      <body>
        <header class="top">
          <h1>opscrew status</h1>
          <p class="meta">
            As of ${utcStamp(model.generated_at)} · reloads every ${model.refresh_s} s ·
            <a href="/status.json">status.json</a> · <a href="/incidents">/incidents</a> ·
            <a href="/agents">/agents</a>
          </p>
          ${summary(model)}
        </header>
        <main>
          ${crewSection(model.crew, now)} ${incidentsSection(model.incidents, now)}
          ${locksSection(model.locks, now)} ${silencesSection(model.silences, now)}
          ${slosSection(model.slos)} ${reportsSection(model.reports, now)}
        </main>
      </body>
    </html> `;
  return page.html;
}

/** The line a person reads first: is anything wrong? */
function summary(model: StatusModel): SafeHtml {
  const chips: SafeHtml[] = [];
  if (model.crew.status === 'ok') {
    const alive = model.crew.rows.filter((row) => row.state === 'alive').length;
    const expected = model.crew.rows.filter((row) => row.state !== 'disabled').length;
    chips.push(chip(alive === expected ? 'ok' : 'bad', `crew ${alive}/${expected} alive`));
  }
  if (model.incidents.status === 'ok') {
    const total = model.incidents.total;
    chips.push(
      chip(
        total === 0 ? 'ok' : 'bad',
        total === 0 ? 'no open incidents' : `${total} open incident${total === 1 ? '' : 's'}`,
      ),
    );
  }
  if (model.locks.status === 'ok') {
    const live = model.locks.rows.filter((row) => row.state === 'live').length;
    chips.push(chip('info', `${live} lock${live === 1 ? '' : 's'} held`));
  }
  if (model.silences.status === 'ok' && model.silences.total > 0) {
    chips.push(chip('warn', `${model.silences.total} silenced`));
  }
  if (model.slos.status === 'ok') {
    const alerting = model.slos.rows.filter((row) => row.alerting).length;
    chips.push(
      chip(
        alerting === 0 ? 'ok' : 'bad',
        alerting === 0
          ? 'SLOs within budget'
          : `${alerting} SLO${alerting === 1 ? '' : 's'} burning`,
      ),
    );
  }
  return html`<ul class="summary">
    ${chips.map((item) => html`<li>${item}</li>`)}
  </ul>`;
}

function chip(tone: 'ok' | 'bad' | 'warn' | 'info', text: string): SafeHtml {
  return html`<span class="chip ${tone}">${text}</span>`;
}

// --- sections ---------------------------------------------------------------------------

function crewSection(crew: StatusSection<CrewRow>, now: number): SafeHtml {
  return block('crew', 'Crew', crew, {
    empty: 'No agents configured.',
    head: ['Agent', 'State', 'Last heartbeat', 'Max age', 'Version', 'PID', 'Replicas'],
    row: (row) =>
      html`<tr>
        <td class="name">${row.agent}</td>
        <td>${badge(crewTone(row.state), row.state.replace('_', ' '))}</td>
        <td>${row.last_heartbeat_at === null ? dash() : stamp(row.last_heartbeat_at, now)}</td>
        <td class="num">${duration(row.max_age_s)}</td>
        <td class="mono">${row.version ?? dash()}</td>
        <td class="num mono">${row.pid ?? dash()}</td>
        <td>${row.replicas.length === 0 ? dash() : replicaChips(row.replicas)}</td>
      </tr>`,
  });
}

/** One chip per replica (stale ones warn): which of several replicas stopped beating. */
function replicaChips(replicas: readonly CrewReplica[]): SafeHtml {
  const fresh = replicas.filter((replica) => !replica.stale).length;
  return html`<span class="num">${fresh}/${replicas.length}</span> ${replicas.map((replica) =>
      chip(replica.stale ? 'warn' : 'ok', `${replica.replica}${replica.stale ? ' (stale)' : ''}`),
    )}`;
}

function incidentsSection(incidents: StatusSection<IncidentRow>, now: number): SafeHtml {
  return block('incidents', 'Open incidents', incidents, {
    empty: 'No open incidents.',
    head: ['Incident', 'Service', 'Symptom', 'Severity', 'Phase', 'Ticket', 'Opened', 'Updated'],
    row: (row) =>
      html`<tr>
        <td class="mono">
          <a href="/incidents/${encodeURIComponent(row.incident_id)}">${row.incident_id}</a>
        </td>
        <td class="name">${row.service}</td>
        <td>${row.symptom}</td>
        <td>${badge(severityTone(row.severity), row.severity)}</td>
        <td>${badge(phaseTone(row.phase), row.phase)}</td>
        <td>${ticket(row.ticket)}</td>
        <td>${stamp(row.detected_at, now)}</td>
        <td>${stamp(row.updated_at, now)}</td>
      </tr>`,
    more: html` (newest first; all of them at <a href="/incidents">/incidents</a>)`,
  });
}

function locksSection(locks: StatusSection<LockRow>, now: number): SafeHtml {
  return block('locks', 'Locks', locks, {
    empty: 'No locks held.',
    head: ['Lock', 'Holder', 'Reason', 'Expires'],
    row: (row) => html`<tr${row.state === 'expired' ? html` class="dim"` : ''}>
<td class="name" title="${row.key}">${row.service ?? row.key}</td>
<td class="mono nowrap">${row.holder}</td>
<td>${row.reason}</td>
<td>${row.state === 'expired' ? badge('warn', 'expired') : ''} ${stamp(row.expires_at, now)}</td>
</tr>`,
  });
}

function silencesSection(silences: StatusSection<SilenceView>, now: number): SafeHtml {
  return block('silences', 'Silences', silences, {
    empty: 'No active silences.',
    head: ['Service', 'Until', 'Reason', 'By'],
    row: (row) =>
      html`<tr>
        <td class="name">${row.service}</td>
        <td>${stamp(row.until, now)}</td>
        <td>${row.reason ?? dash()}</td>
        <td class="mono">${row.by}</td>
      </tr>`,
  });
}

function slosSection(slos: StatusSection<SloView>): SafeHtml {
  return block('slos', 'SLO budgets', slos, {
    empty: 'No SLOs defined.',
    head: ['Service', 'Objective', 'Target', 'Budget left', 'Burn 1 h', 'Alerting'],
    row: (row) =>
      html`<tr>
        <td class="name">${row.service}</td>
        <td>${row.objective}</td>
        <td class="num">${percent(row.target, 2)}</td>
        <td>${budgetBar(row.budget_remaining_ratio)}</td>
        <td class="num">
          ${row.burn_rate_1h === null ? dash() : `${round(row.burn_rate_1h, 2)}×`}
        </td>
        <td>${row.alerting ? badge('bad', 'alerting') : badge('ok', 'no')}</td>
      </tr>`,
  });
}

function reportsSection(reports: StatusSection<ReportView>, now: number): SafeHtml {
  return block('reports', 'Last reports', reports, {
    empty: 'No reports yet.',
    head: ['When', 'Report', 'Title'],
    row: (row) =>
      html`<tr>
        <td>${stamp(row.at, now)}</td>
        <td>${badge('info', row.name)}</td>
        <td>${row.title}</td>
      </tr>`,
  });
}

// --- building blocks --------------------------------------------------------------------

interface BlockSpec<T> {
  readonly empty: string;
  readonly head: readonly string[];
  readonly row: (row: T) => SafeHtml;
  /** Said after "and N more". */
  readonly more?: SafeHtml;
}

/** One section: a heading and a table, or what to say instead (empty, not configured, down). */
function block<T>(
  id: string,
  heading: string,
  section: StatusSection<T>,
  spec: BlockSpec<T>,
): SafeHtml {
  let body: SafeHtml;
  let count: SafeHtml | string = '';
  if (section.status === 'not_configured') {
    body = html`<p class="note">
      Not configured: no source for this section is connected to atlas.
    </p>`;
  } else if (section.status === 'unavailable') {
    body = html`<p class="note bad">Unavailable: ${section.reason}</p>`;
  } else if (section.total === 0) {
    body = html`<p class="empty">${spec.empty}</p>`;
    count = html` <span class="count">0</span>`;
  } else {
    const hidden = section.total - section.rows.length;
    count = html` <span class="count">${section.total}</span>`;
    body = html`<table>
        <thead>
          <tr>
            ${spec.head.map((cell) => html`<th scope="col">${cell}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${section.rows.map((row) => html`${spec.row(row)} `)}
        </tbody>
      </table>
      ${hidden > 0 ? html`<p class="more">and ${hidden} more${spec.more ?? ''}</p>` : ''}`;
  }
  return html`<section id="${id}" aria-labelledby="h-${id}">
    <h2 id="h-${id}">${heading}${count}</h2>
    ${body}
  </section>`;
}

/** Relative for the eye, the exact UTC instant in the title (and the datetime attribute). */
function stamp(iso: string, now: number): SafeHtml {
  const at = Date.parse(iso);
  const exact = Number.isFinite(at) ? new Date(at).toISOString() : iso;
  return html`<time datetime="${exact}" title="${exact}">${relativeTime(at, now)}</time>`;
}

/** The page's own instant, readable: an operator compares it with the clock on the wall. */
function utcStamp(iso: string): SafeHtml {
  const label = `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  return html`<time datetime="${iso}" title="${iso}">${label}</time>`;
}

function badge(tone: Tone, text: string): SafeHtml {
  return html`<span class="badge ${tone}">${text}</span>`;
}

function dash(): SafeHtml {
  return html`<span class="dim">—</span>`;
}

function ticket(view: IncidentRow['ticket']): SafeHtml | string {
  if (view === null) return dash();
  if (view.key === null) return badge(view.state === 'failed' ? 'bad' : 'info', view.state);
  // Checked again here: whatever a source hands over, only an http(s) URL becomes a link.
  const href = safeHref(view.url);
  return href === null
    ? html`<span class="mono">${view.key}</span>`
    : html`<a class="mono" href="${href}" rel="noreferrer noopener">${view.key}</a>`;
}

/** A bar of the budget left: full green, low amber, spent red; "no data" while unknown. */
function budgetBar(ratio: number | null): SafeHtml {
  if (ratio === null || !Number.isFinite(ratio)) return html`<span class="dim">no data</span>`;
  const width = Math.round(Math.min(1, Math.max(0, ratio)) * 100);
  const tone: Tone = ratio <= 0 ? 'bad' : ratio < 0.25 ? 'warn' : 'ok';
  return html`<span class="budget"
    ><span class="bar"><span class="fill ${tone}" style="width:${width}%"></span></span>
    <span class="num text-${tone}">${percent(ratio, 1)}</span></span
  >`;
}

type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'muted';

function crewTone(state: CrewRow['state']): Tone {
  return state === 'alive'
    ? 'ok'
    : state === 'stale'
      ? 'bad'
      : state === 'never_seen'
        ? 'warn'
        : 'muted';
}

function severityTone(severity: IncidentRow['severity']): Tone {
  return severity === 'critical' || severity === 'high'
    ? 'bad'
    : severity === 'medium'
      ? 'warn'
      : 'info';
}

function phaseTone(phase: IncidentRow['phase']): Tone {
  return phase === 'escalated' || phase === 'reopened'
    ? 'bad'
    : phase === 'detected'
      ? 'warn'
      : 'info';
}

function percent(ratio: number, digits: number): string {
  return `${round(ratio * 100, digits)}%`;
}

function round(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '—';
  return String(Number(value.toFixed(digits)));
}

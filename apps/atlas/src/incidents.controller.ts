import {
  BadRequestException,
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
  Query,
  Res,
} from '@nestjs/common';
import {
  DEDUP_KEY_MAX_LENGTH,
  DEDUP_KEY_PATTERN,
  INCIDENT_ID_PATTERN,
  type IncidentRecord,
  REPORTER_MAX_LENGTH,
  REPORTER_PATTERN,
} from '@opscrew/contracts';
import { type CorrelationFilter, IncidentLedger } from '@opscrew/messaging';
import { type Response } from 'express';
import {
  type IncidentPage,
  PageQueryError,
  pageOf,
  parseCursor,
  parseLimit,
} from './ledger/incident-page';
import { IncidentsView } from './ledger/incidents-view.service';
import { PostmortemWriter } from './postmortems/postmortem-writer.service';

/**
 * The incident ledger, read-only: `GET /incidents`, `GET /incidents/:id`, and its postmortem
 * draft `GET /incidents/:id/postmortem`.
 *
 * `GET /incidents` pages, newest first: `?limit=N` (default 50, at most 500) incidents per
 * answer, a JSON array as before; when there are more, the answer carries `X-Next-Cursor: C`
 * and `Link: </incidents?…&cursor=C>; rel="next"`, and `?cursor=C` gets the next page. Filters:
 * `?dedup_key=K` and/or `?reporter=R` (the incidents a report with that key or from that
 * reporter joined). A bad parameter is a 400 naming it. Answers come from an in-memory view
 * kept current by a KV watch (IncidentsView); until its first load, from the ledger
 * (`X-Incidents-Source: ledger`).
 */
@Controller('incidents')
export class IncidentsController {
  constructor(
    private readonly ledger: IncidentLedger,
    private readonly postmortems: PostmortemWriter,
    private readonly view: IncidentsView,
  ) {}

  @Get()
  async list(
    @Query('dedup_key') dedupKey?: unknown,
    @Query('reporter') reporter?: unknown,
    @Query('limit') limitParam?: unknown,
    @Query('cursor') cursorParam?: unknown,
    @Res({ passthrough: true }) response?: Response,
  ): Promise<IncidentRecord[]> {
    const filter = correlationFilter(dedupKey, reporter);
    let limit: number;
    let after: ReturnType<typeof parseCursor>;
    try {
      limit = parseLimit(limitParam);
      after = parseCursor(cursorParam);
    } catch (err: unknown) {
      if (err instanceof PageQueryError) throw new BadRequestException(err.message);
      throw err;
    }
    const fromView = this.view.page(filter, limit, after);
    const page: IncidentPage =
      fromView ?? pageOf(await this.ledger.list(filter), filter, limit, after);
    if (response !== undefined) {
      response.setHeader('X-Incidents-Source', fromView === null ? 'ledger' : 'view');
      if (page.next_cursor !== null) {
        response.setHeader('X-Next-Cursor', page.next_cursor);
        response.setHeader('Link', `<${nextUrl(filter, limit, page.next_cursor)}>; rel="next"`);
      }
    }
    return page.items;
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<IncidentRecord> {
    checkId(id);
    const record = await this.ledger.get(id);
    if (!record) throw new NotFoundException(`no incident ${id}`);
    return record;
  }
  /** Markdown; drafted when the incident is resolved or escalated, rewritten if it ends again. */
  @Get(':id/postmortem')
  @Header('Content-Type', 'text/markdown; charset=utf-8')
  async postmortem(@Param('id') id: string): Promise<string> {
    checkId(id);
    const draft = await this.postmortems.read(id);
    if (draft !== null) return draft;
    const record = await this.ledger.get(id);
    throw new NotFoundException(
      record
        ? `no postmortem draft for ${id} yet: one is drafted when it is resolved or escalated (phase now ${record.phase})`
        : `no incident ${id}`,
    );
  }
}

/** `?dedup_key` / `?reporter`, checked; absent ones are not part of the filter. */
function correlationFilter(dedupKey: unknown, reporter: unknown): CorrelationFilter {
  return {
    ...(dedupKey !== undefined
      ? {
          dedup_key: checkQuery('dedup_key', dedupKey, DEDUP_KEY_PATTERN, {
            max: DEDUP_KEY_MAX_LENGTH,
            describe: 'printable ASCII without spaces',
          }),
        }
      : {}),
    ...(reporter !== undefined
      ? {
          reporter: checkQuery('reporter', reporter, REPORTER_PATTERN, {
            max: REPORTER_MAX_LENGTH,
            describe: 'letters, digits, "_" and "-"',
          }),
        }
      : {}),
  };
}

/** The next page's path: the same filter and limit, the new cursor. */
function nextUrl(filter: CorrelationFilter, limit: number, cursor: string): string {
  const query = new URLSearchParams();
  if (filter.dedup_key !== undefined) query.set('dedup_key', filter.dedup_key);
  if (filter.reporter !== undefined) query.set('reporter', filter.reporter);
  query.set('limit', String(limit));
  query.set('cursor', cursor);
  return `/incidents?${query.toString()}`;
}

/** A correlation filter is the same token the report carried; anything else is a 400 naming it. */
function checkQuery(
  name: string,
  value: unknown,
  pattern: RegExp,
  rule: { max: number; describe: string },
): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > rule.max ||
    !pattern.test(value)
  )
    throw new BadRequestException(
      `?${name}: must be given once, as the ${name} the report carried (${rule.describe}, at most ${rule.max} characters)`,
    );
  return value;
}

/** Checked before it reaches the bucket or the filesystem: an id is not free text. */
function checkId(id: string): void {
  if (!INCIDENT_ID_PATTERN.test(id))
    throw new NotFoundException(
      `no incident ${JSON.stringify(id.slice(0, 64))}: ids look like INC-YYYYMMDD-NNN-EEEE`,
    );
}

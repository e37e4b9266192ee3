import { Controller, Get, Header, NotFoundException, Param } from '@nestjs/common';
import { INCIDENT_ID_PATTERN, type IncidentRecord } from '@opscrew/contracts';
import { IncidentLedger } from '@opscrew/messaging';
import { PostmortemWriter } from './postmortems/postmortem-writer.service';

/**
 * The incident ledger, read-only: `GET /incidents` (newest first),
 * `GET /incidents/:id`, and its postmortem draft `GET /incidents/:id/postmortem`.
 */
@Controller('incidents')
export class IncidentsController {
  constructor(
    private readonly ledger: IncidentLedger,
    private readonly postmortems: PostmortemWriter,
  ) {}

  @Get()
  list(): Promise<IncidentRecord[]> {
    return this.ledger.list();
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

/** Checked before it reaches the bucket or the filesystem: an id is not free text. */
function checkId(id: string): void {
  if (!INCIDENT_ID_PATTERN.test(id))
    throw new NotFoundException(
      `no incident ${JSON.stringify(id.slice(0, 64))}: ids look like INC-YYYYMMDD-NNN`,
    );
}

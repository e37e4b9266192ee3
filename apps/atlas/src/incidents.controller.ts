import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { INCIDENT_ID_PATTERN, type IncidentRecord } from '@opscrew/contracts';
import { IncidentLedger } from '@opscrew/messaging';

/** The incident ledger, read-only: `GET /incidents` (newest first) and `GET /incidents/:id`. */
@Controller('incidents')
export class IncidentsController {
  constructor(private readonly ledger: IncidentLedger) {}

  @Get()
  list(): Promise<IncidentRecord[]> {
    return this.ledger.list();
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<IncidentRecord> {
    // Checked before it reaches the bucket: a KV key is not free text.
    if (!INCIDENT_ID_PATTERN.test(id))
      throw new NotFoundException(
        `no incident ${JSON.stringify(id.slice(0, 64))}: ids look like INC-YYYYMMDD-NNN`,
      );
    const record = await this.ledger.get(id);
    if (!record) throw new NotFoundException(`no incident ${id}`);
    return record;
  }
}

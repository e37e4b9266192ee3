import {
  BadGatewayException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { errorMessage } from '@opscrew/contracts';
import { ApiTokenGuard } from '../api-token.guard';
import { type ReportScheduleView, ReportScheduler, type SentReport } from './report.scheduler';
import { UnknownReportError } from './unknown-report.error';

/** Report names are schedule keys: the config's NAME_PATTERN (anything else is not one). */
const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * `GET /reports`: this agent's report schedules (zone, next run);
 * `POST /reports/:name`: builds and publishes that report now (`opscrew report <name> --now`).
 * Sending is a side effect a human sees, so it needs `Authorization: Bearer <http.api_token>`.
 */
@Controller('reports')
export class ReportsController {
  constructor(private readonly scheduler: ReportScheduler) {}

  @Get()
  list(): { reports: ReportScheduleView[]; producers: string[] } {
    return { reports: this.scheduler.list(), producers: this.scheduler.names() };
  }

  @Post(':name')
  @HttpCode(200)
  @UseGuards(ApiTokenGuard)
  async send(@Param('name') name: string): Promise<SentReport> {
    const known = this.scheduler.names();
    if (!NAME_PATTERN.test(name) || !known.includes(name))
      throw new NotFoundException(new UnknownReportError(name.slice(0, 64), known).message);
    try {
      return await this.scheduler.send(name);
    } catch (error) {
      throw new BadGatewayException(`report ${name} not sent: ${errorMessage(error)}`);
    }
  }
}

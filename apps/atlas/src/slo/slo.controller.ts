import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { errorMessage } from '@opscrew/contracts';
import { type SloAnswer, SloView } from './slo-view.service';

/**
 * `GET /slo`: per service and objective (availability, latency) the target and window, the SLI
 * so far, the error budget (total share, consumed, remaining), the burn rate over each alert
 * window, which alert fires, and how much of the window was observed. 503 while the `slo`
 * bucket cannot be read (the answer would otherwise claim budgets nobody measured).
 */
@Controller('slo')
export class SloController {
  constructor(private readonly view: SloView) {}

  @Get()
  async get(): Promise<SloAnswer> {
    try {
      return await this.view.answer(new Date());
    } catch (error) {
      throw new ServiceUnavailableException(`slo counts not readable: ${errorMessage(error)}`);
    }
  }
}

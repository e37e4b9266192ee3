import { Controller, Get } from '@nestjs/common';
import { type QualityReport, QualityTracker } from './quality.tracker';

/** `GET /quality`: ops-monitor's self-evaluation (completeness, actionability, accuracy). */
@Controller('quality')
export class QualityController {
  constructor(private readonly quality: QualityTracker) {}

  @Get()
  report(): QualityReport {
    return this.quality.report();
  }
}

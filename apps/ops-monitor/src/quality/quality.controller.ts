import { Controller, Get } from '@nestjs/common';
import { AccuracyFeedbackReader } from './accuracy-feedback.reader';
import { type QualityReport, QualityTracker } from './quality.tracker';

/** `GET /quality`: ops-monitor's self-evaluation (completeness, actionability, accuracy). */
@Controller('quality')
export class QualityController {
  constructor(
    private readonly quality: QualityTracker,
    private readonly feedback: AccuracyFeedbackReader,
  ) {}

  @Get()
  async report(): Promise<QualityReport> {
    this.quality.recordAccuracy(await this.feedback.read());
    return this.quality.report();
  }
}

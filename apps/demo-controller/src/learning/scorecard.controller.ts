import { Controller, Get } from '@nestjs/common';
import { LearningService, type ScorecardView } from './learning.service';

/** `GET /scorecard`: the crew's aggregate score, the last scored runs, open runs and suggestions. */
@Controller('scorecard')
export class ScorecardController {
  constructor(private readonly learning: LearningService) {}

  @Get()
  scorecard(): Promise<ScorecardView> {
    return this.learning.scorecard();
  }
}

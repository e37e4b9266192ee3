import { Controller, Get, Inject } from '@nestjs/common';
import { LEARNING } from '../demo-controller.tokens';
import { type LearningService, type ScorecardView } from './learning.service';

/** `GET /scorecard`: the crew's aggregate score, the last scored runs, open runs and suggestions. */
@Controller('scorecard')
export class ScorecardController {
  constructor(@Inject(LEARNING) private readonly learning: LearningService) {}

  @Get()
  scorecard(): Promise<ScorecardView> {
    return this.learning.scorecard();
  }
}

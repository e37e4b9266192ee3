import { type Provider, type Type } from '@nestjs/common';
import { REPORT_PRODUCERS, type ReportProducer } from './report-producer';
import { ReportScheduler } from './report.scheduler';
import { ReportsController } from './reports.controller';

/**
 * An agent's report wiring, spread into its module: the producers (its own classes, so they
 * are resolved in the app module with its own providers), the one ReportScheduler, and the
 * `/reports` routes.
 */
export function reportProviders(producers: readonly Type<ReportProducer>[]): {
  providers: Provider[];
  controllers: Type[];
} {
  return {
    providers: [
      ...producers,
      {
        provide: REPORT_PRODUCERS,
        inject: [...producers],
        useFactory: (...built: ReportProducer[]): ReportProducer[] => built,
      },
      ReportScheduler,
    ],
    controllers: [ReportsController],
  };
}

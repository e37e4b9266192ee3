import { type Provider } from '@nestjs/common';
import { type SloView as SloRow, STATUS_SLOS, type SlosSource } from '../status/status-sources';
import { SloView } from './slo-view.service';

/**
 * The status page's SLO section from the same answer as GET /slo: one row per service and
 * objective. A budget with no events yet is unknown (null), never "all left".
 */
export const sloStatusSource: Provider = {
  provide: STATUS_SLOS,
  inject: [SloView],
  useFactory:
    (slo: SloView): SlosSource =>
    async () => {
      const answer = await slo.answer();
      return answer.services.flatMap((service) =>
        (['availability', 'latency'] as const).map((objective): SloRow => {
          const status = service.objectives[objective];
          return {
            service: service.service,
            objective,
            target: status.target,
            budget_remaining_ratio: status.events.total > 0 ? status.budget.remaining_ratio : null,
            burn_rate_1h: status.burn_rates['1h'] ?? null,
            alerting: status.alerting !== null,
          };
        }),
      );
    },
};

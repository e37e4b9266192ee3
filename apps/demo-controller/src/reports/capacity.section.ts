import { type ReportSection } from '@opscrew/agent-core';
import { type CapacityForecastSummary } from '@opscrew/agent-core';
import { errorMessage } from '@opscrew/contracts';

/**
 * The weekly report's Capacity section: the forecast's findings within the horizon (libs
 * agent-core CapacityForecaster). A forecast that fails is one line, never a lost report.
 */
export class CapacitySection implements ReportSection {
  readonly heading = 'Capacity (at the current trend)';

  constructor(private readonly capacity: CapacityForecastSummary) {}

  async lines(): Promise<readonly string[]> {
    try {
      return await this.capacity.summaryLines();
    } catch (error) {
      return [`forecast not available (${errorMessage(error)})`];
    }
  }
}
